// Builds the web live view into dist/page (served by the agent at `/`, src/web/page.ts): one
// script and one stylesheet bundled and minified by esbuild (uPlot and the project's own pure
// modules bundled in, nothing fetched from elsewhere at run time), and the page itself.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'page');
mkdirSync(out, { recursive: true });

const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning' };
await build({
  ...common,
  entryPoints: [join(here, 'main.ts')],
  outfile: join(out, 'app.js'),
  format: 'esm',
  target: ['es2022'],
  platform: 'browser',
});
await build({ ...common, entryPoints: [join(here, 'style.css')], outfile: join(out, 'app.css') });
for (const file of ['index.html', 'favicon.svg']) copyFileSync(join(here, file), join(out, file));
