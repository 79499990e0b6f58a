import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What the running agent loads, checked on the source: a module once imported stays in the daemon's
 * memory for good, so libraries it needs only at start or for an option stay out of its static
 * imports (docs/performance.md, "Where the agent's memory goes").
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The agent's modules that are loaded with the default configuration: the run loop and the feed. */
const ENTRIES = ['src/agent/run.ts', 'src/feed/server.ts'];

const RUNTIME_IMPORT =
  /^\s*(?:import|export)\s+(?!type\s)[^'";]*?\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

/** Every package the entries reach through runtime imports, with the first path that reaches it. */
function packagesReached(): Map<string, string[]> {
  const reached = new Map<string, string[]>();
  const seen = new Set<string>();
  const walk = (file: string, path: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(RUNTIME_IMPORT)) {
      const target = m[1] ?? m[2];
      if (target.startsWith('.')) {
        const next = relative(ROOT, join(ROOT, dirname(file), target)).replace(/\.js$/, '.ts');
        walk(next, [...path, next]);
      } else if (!target.startsWith('node:') && !reached.has(target)) reached.set(target, path);
    }
  };
  for (const entry of ENTRIES) walk(entry, [entry]);
  return reached;
}

describe('the agent’s imports', () => {
  it('load neither zod nor yaml: the configuration is validated in a child process', () => {
    const reached = packagesReached();
    const heavy = [...reached]
      .filter(([name]) => /^(zod|yaml)(\/|$)/.test(name))
      .map(([n, p]) => `${n}: ${p.join(' → ')}`);
    expect(heavy).toEqual([]);
    // The walk does follow imports into the packages the agent needs.
    expect([...reached.keys()]).toEqual(expect.arrayContaining(['ws', 'pino']));
  });
});
