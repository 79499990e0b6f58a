import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What the running agent loads, checked on the CLI as it is built (build/bundle-cli.mjs, bundled in
 * memory): a module once imported stays in the daemon's memory for good, so libraries it needs only
 * at start or for an option stay out of what its modules import statically (docs/performance.md,
 * "Where the agent's memory goes").
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The agent's modules that are loaded with the default configuration: the run loop and the feed. */
const ENTRIES = ['src/agent/run.ts', 'src/feed/server.ts'];

interface Metafile {
  outputs: Record<
    string,
    { inputs: Record<string, unknown>; imports: { path: string; kind: string; external?: boolean }[] }
  >;
}

function builtMetafile(): Metafile {
  const out = execFileSync(process.execPath, [`${ROOT}build/bundle-cli.mjs`, '--metafile'], {
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out.toString()) as Metafile;
}

/**
 * Every package the entries reach through static imports of the bundle: bundled in (a source under
 * node_modules in a file reached) or left to node_modules (an external import), with the chain of
 * built files that reaches it.
 */
function packagesReached(meta: Metafile): Map<string, string[]> {
  const reached = new Map<string, string[]>();
  const seen = new Set<string>();
  const walk = (file: string, path: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const output = meta.outputs[file];
    for (const input of Object.keys(output.inputs)) {
      const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m !== null && !reached.has(m[1])) reached.set(m[1], [...path, input]);
    }
    for (const imported of output.imports) {
      if (imported.kind !== 'import-statement') continue;
      if (!imported.external) walk(imported.path, [...path, imported.path]);
      else if (!imported.path.startsWith('node:') && !reached.has(imported.path))
        reached.set(imported.path, [...path, imported.path]);
    }
  };
  for (const entry of ENTRIES) {
    const file = Object.keys(meta.outputs).find((name) => entry in meta.outputs[name].inputs);
    expect(file, `${entry} is in no built file`).toBeDefined();
    walk(file as string, [entry, file as string]);
  }
  return reached;
}

describe('the agent’s imports', () => {
  it('load neither zod nor yaml: the configuration is validated in a child process', () => {
    const reached = packagesReached(builtMetafile());
    const heavy = [...reached]
      .filter(([name]) => /^(zod|yaml)(\/|$)/.test(name))
      .map(([n, p]) => `${n}: ${p.join(' → ')}`);
    expect(heavy).toEqual([]);
    // The walk does follow imports into the packages the agent needs.
    expect([...reached.keys()]).toEqual(expect.arrayContaining(['ws', 'pino']));
  }, 30_000);
});
