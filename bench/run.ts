import { runCgroupsBench } from './sections/cgroups.js';
import { runCgroupsEngineBench } from './sections/cgroups-engine.js';
import { runFeedBench } from './sections/feed.js';
import { runFleetBench } from './sections/fleet.js';
import { runHostileBench } from './sections/hostile.js';
import { runRecorderBench } from './sections/recorder.js';
import { runRenderBench } from './sections/render.js';
import { runScrapeBench } from './sections/scrape.js';
import { runTickBench } from './sections/tick.js';
import { runTuiBench } from './sections/tui.js';
import { runWebBench } from './sections/web.js';
import { runWholeBench } from './sections/whole.js';
import { round } from './stats.js';

/**
 * `npm run bench`: human-readable figures; with `-- --json`, one JSON object on the last line.
 * Budgets are reported in docs/performance.md and never enforced by timed tests.
 */
const json = process.argv.includes('--json');
const sections: Record<string, () => Promise<Record<string, number>>> = {
  tick: runTickBench,
  scrape: runScrapeBench,
  render: runRenderBench,
  recorder: runRecorderBench,
  feed: runFeedBench,
  tui: runTuiBench,
  hostile: runHostileBench,
  whole: runWholeBench,
  // the engine tick's growth (the budget), then the collector alone
  cgroups: async () => ({ ...(await runCgroupsEngineBench()), ...(await runCgroupsBench()) }),
  fleet: runFleetBench,
  web: runWebBench,
};
// `--only feed,tui` runs some sections: each one is minutes of a quiet machine.
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? Object.keys(sections) : (process.argv[onlyAt + 1] ?? '').split(',');
const unknown = only.filter((name) => !(name in sections));
if (unknown.length > 0) {
  console.error(
    `bench: unknown section ${unknown.join(', ')} in --only (sections: ${Object.keys(sections).join(', ')})`,
  );
  process.exit(2);
}
const results: Record<string, number> = {};
for (const name of only) Object.assign(results, await sections[name]());
results.rss_mb = round(process.memoryUsage.rss() / 1024 / 1024, 1);
console.log(`benchmark process RSS: ${results.rss_mb} MB`);

if (json) console.log(JSON.stringify(results));
