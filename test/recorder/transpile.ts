import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const REPO = resolve(import.meta.dirname, '../..');
const RELATIVE_IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g;

/**
 * Compiles `entry` (a repo-relative .ts path) and every module it imports relatively into `outDir`,
 * keeping the repo layout, so a child `node` process can run current source without a build step
 * and without a TypeScript loader. Packages resolve through a link to the repo's node_modules.
 * Returns the path of the compiled entry.
 */
export function transpileForNode(entry: string, outDir: string): string {
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}');
  symlinkSync(join(REPO, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  const pending = [resolve(REPO, entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const out = join(outDir, relative(REPO, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
    for (const m of source.matchAll(RELATIVE_IMPORT)) pending.push(resolve(dirname(file), `${m[1]}.ts`));
  }
  return join(outDir, entry.replace(/\.ts$/, '.js'));
}
