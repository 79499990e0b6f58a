import { runFeedBench } from './sections/feed.js';
import { runRecorderBench } from './sections/recorder.js';
import { runScrapeBench } from './sections/scrape.js';
import { runTickBench } from './sections/tick.js';
import { runTuiBench } from './sections/tui.js';
import { round } from './stats.js';

/**
 * `npm run bench`: human-readable figures; with `-- --json`, one JSON object on the last line.
 * Budgets are reported in docs/performance.md and never enforced by timed tests.
 */
const json = process.argv.includes('--json');
const results: Record<string, number> = {};

Object.assign(results, await runTickBench());
Object.assign(results, await runScrapeBench());
Object.assign(results, await runRecorderBench());
Object.assign(results, await runFeedBench());
Object.assign(results, await runTuiBench());
results.rss_mb = round(process.memoryUsage.rss() / 1024 / 1024, 1);
console.log(`benchmark process RSS: ${results.rss_mb} MB`);

if (json) console.log(JSON.stringify(results));
