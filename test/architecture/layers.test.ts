import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering docs/architecture.md describes, checked on the source: collectors → derive → model →
 * outputs and views. A broken rule here is a second data path or a cycle that a reader would have to
 * untangle; the message names the importing file and what it imports.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FOLDERS = ['collectors', 'src', 'bin', 'bench'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

interface Edge {
  from: string;
  to: string;
  /** `import type` only: erased at build time, so it makes no load-order cycle. */
  typeOnly: boolean;
}

const STATIC_IMPORT = /^\s*(?:import|export)\s+(type\s+)?[^'";]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

function importsOf(file: string): Edge[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(STATIC_IMPORT)].map((m) => ({
    from: file,
    to: relative(ROOT, join(ROOT, dirname(file), m[2])).replace(/\.js$/, '.ts'),
    typeOnly: m[1] !== undefined,
  }));
}

const files = FOLDERS.flatMap(sourceFiles);
const edges = files.flatMap(importsOf);

function offending(from: string, to: string): string[] {
  return edges.filter((e) => e.from.startsWith(from) && e.to.startsWith(to)).map((e) => `${e.from} → ${e.to}`);
}

/** Every strongly connected group of more than one file in the graph of runtime imports. */
function runtimeCycles(): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) if (!e.typeOnly && next.has(e.to)) next.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return groups;
}

describe('the layering of the source tree', () => {
  it('reads every source file of the tree', () => {
    expect(files).toContain('src/model/frame.ts');
    expect(edges.length).toBeGreaterThan(files.length);
  });

  it('outputs read the model only: nothing under src/outputs imports collectors/ or the /proc readers of src/self', () => {
    expect(offending('src/outputs/', 'collectors/')).toEqual([]);
    expect(offending('src/outputs/', 'src/self/')).toEqual([]);
  });

  it('collectors know nothing of outputs, views, the feed or the server', () => {
    for (const view of ['src/outputs/', 'src/tui/', 'src/feed/', 'src/server/', 'src/report/']) {
      expect(offending('collectors/', view)).toEqual([]);
    }
  });

  it('the model depends on no collector, output or view', () => {
    for (const layer of ['collectors/', 'src/outputs/', 'src/tui/', 'src/feed/', 'src/pipeline/']) {
      expect(offending('src/model/', layer).filter((e) => !e.includes(' → src/model/'))).toEqual([]);
    }
  });

  it('no benchmark code ships under src/', () => {
    expect(offending('src/', 'bench/')).toEqual([]);
  });

  it('no cycle of runtime imports', () => {
    expect(runtimeCycles()).toEqual([]);
  });
});
