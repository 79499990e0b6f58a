// Builds the CLI into dist/bin: bin/usewatch.ts and the modules it reaches, bundled by esbuild into a
// few ES modules split along the CLI's lazy imports, so that a command loads its own code and no
// other command's (docs/performance.md, "Where the agent's memory goes"). dist/src, tsc's output,
// stays as it is: the child processes the CLI starts (the configuration loader, the inventory
// probe), the bench, the dashboards and the end-to-end tests run or import modules from it.
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');

/**
 * The packages bundled in; every other stays an import of node_modules. Those are loaded only for
 * an option or a command (OpenTelemetry, systeminformation, zod, yaml, the TUI's), and end-to-end
 * tests check, by the package names the CLI imports, that the agent does not load them.
 */
const BUNDLED = new Set(['commander', 'pino', 'ws', 'picocolors']);

/** The package a bare specifier names: `@scope/name` or `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const usewatch = {
  name: 'usewatch',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      const fromOurs = !args.importer.includes('/node_modules/');
      if (fromOurs && !BUNDLED.has(packageOf(args.path))) return { external: true };
      // ws's optional native helpers: ws falls back to JavaScript when they are not installed.
      if (args.path === 'bufferutil' || args.path === 'utf-8-validate') return { external: true };
      return undefined;
    });
    // A module finds files beside it (package.json, the checklists, the web page, the programs of
    // its child processes) from import.meta.url: each keeps the URL of its own build in dist/src.
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const built = join(root, 'dist', relative(root, args.path)).replace(/\.ts$/, '.js');
      const url = `new URL(${JSON.stringify(relative(outdir, built))}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/**
 * `--metafile`: builds in memory and prints esbuild's metafile (every output, its inputs and its
 * imports) instead of writing dist/bin, for test/architecture/agent-imports.test.ts.
 */
const metafileOnly = process.argv.includes('--metafile');
if (!metafileOnly) await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'bin', 'usewatch.ts')],
  absWorkingDir: root,
  outdir,
  write: !metafileOnly,
  metafile: metafileOnly,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [usewatch],
  // The bundled packages are CommonJS: their require() of Node's modules needs a require in scope.
  banner: {
    js: "import { createRequire as __usewatchCreateRequire } from 'node:module'; const require = __usewatchCreateRequire(import.meta.url);",
  },
});
if (metafileOnly) process.stdout.write(JSON.stringify(result.metafile));
