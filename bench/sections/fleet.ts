import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TOP_V8_FLAGS } from '../../src/tui/footprint.js';
import { syntheticFleetResponses } from '../fleet-responses.js';
import { round } from '../stats.js';
import { peakRssInTmux } from '../tmux-rss.js';

const CLI = fileURLToPath(new URL('../../bin/usewatch.js', import.meta.url));
const RESPONSES_MODULE = new URL('../fleet-responses.js', import.meta.url).href;
const MODEL_MODULE = new URL('../../src/fleet/model.js', import.meta.url).href;
const SCREEN_MODULE = new URL('../../src/tui/view/fleet.js', import.meta.url).href;
const STATE_MODULE = new URL('../../src/tui/fleet-state.js', import.meta.url).href;
const SESSION = 'usewatch-bench-fleet';
const HOSTS = 1000;

/** A Prometheus that answers the fleet's queries for HOSTS targets scraped every second, counting them. */
async function fakePrometheus(): Promise<{ server: Server; url: string; queries: string[] }> {
  const responses = syntheticFleetResponses(HOSTS);
  const vector = (result: unknown) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
  const bodies = { cells: vector(responses.cells), findings: vector(responses.findings), up: vector(responses.up) };
  const targets = JSON.stringify({
    status: 'success',
    data: { activeTargets: responses.up.map((s) => ({ labels: s.metric, scrapeInterval: '1s' })) },
  });
  const queries: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = url.searchParams.get('query') ?? '';
    if (url.pathname === '/api/v1/query') queries.push(query);
    res.writeHead(200, { 'content-type': 'application/json' });
    if (url.pathname === '/api/v1/targets') res.end(targets);
    else if (query.startsWith('up')) res.end(bodies.up);
    else res.end(query.startsWith('sum by') ? bodies.cells : bodies.findings);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries };
}

/** Peak RSS of `usewatch fleet` over `seconds` in a detached 120×40 tmux pane, refreshing every second. */
function fleetRss(url: string, seconds: number): Promise<number | undefined> {
  return peakRssInTmux(SESSION, `exec env -u CI ${process.execPath} ${CLI} fleet --prometheus ${url}`, seconds);
}

/**
 * From Prometheus' answer (the three response bodies) to the lines of a 120×40 screen: JSON parse,
 * model, sort, render; the median of 10 in a node run with the fleet's V8 settings.
 */
function responseToLinesMs(): number {
  const script = `
    const { syntheticFleetResponses } = await import(${JSON.stringify(RESPONSES_MODULE)});
    const { buildFleet, sortHosts } = await import(${JSON.stringify(MODEL_MODULE)});
    const { renderFleetScreen } = await import(${JSON.stringify(SCREEN_MODULE)});
    const { initialFleetUi } = await import(${JSON.stringify(STATE_MODULE)});
    const r = syntheticFleetResponses(${HOSTS});
    const vector = (result) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
    const bodies = [vector(r.cells), vector(r.findings), vector(r.up)];
    const times = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const [cells, findings, up] = bodies.map((b) => JSON.parse(b).data.result);
      const fleet = buildFleet({ cells, findings, up });
      const shown = { ...fleet, hosts: sortHosts(fleet.hosts) };
      const lines = renderFleetScreen(
        { ui: initialFleetUi, fleet: shown, prometheus: 'http://prom:9090/', selector: '', intervalMs: 1000, refreshedAt: Date.now() },
        { cols: 120, rows: 40, color: true, unicode: true },
      );
      if (lines.length !== 40) throw new Error('the screen is not 40 lines');
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(JSON.stringify(times[5]));`;
  const run = spawnSync(process.execPath, [...TOP_V8_FLAGS, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`fleet render measurement failed: ${run.stderr.trim() || run.error}`);
  return Number(run.stdout.trim().split('\n').pop());
}

/**
 * `usewatch fleet` over 1,000 synthetic hosts: response to rendered lines (budget ≤ 1 s), the peak
 * RSS of the real command in a terminal (budget ≤ 80 MB), and the instant queries per refresh.
 */
export async function runFleetBench(): Promise<Record<string, number>> {
  const ms = responseToLinesMs();
  const prometheus = await fakePrometheus();
  const seconds = Number(process.env.USEWATCH_BENCH_FLEET_SECONDS ?? 15);
  let rss: number | undefined;
  try {
    rss = await fleetRss(prometheus.url, seconds);
  } finally {
    prometheus.server.close();
  }
  const refreshes = prometheus.queries.filter((q) => q.startsWith('up')).length;
  const perRefresh = refreshes > 0 ? prometheus.queries.length / refreshes : 0;
  const { cells, findings } = syntheticFleetResponses(HOSTS);
  console.log(`fleet (${HOSTS} hosts: ${cells.length} cells, ${findings.length} finding series)`);
  console.log(`  response to rendered lines at 120×40: ${round(ms, 0)} ms (budget ≤ 1000 ms)`);
  console.log(
    rss === undefined
      ? '  RSS of usewatch fleet: not measured (tmux is not installed)'
      : `  peak RSS of usewatch fleet over ${seconds} s, refreshing every 1 s: ${round(rss, 1)} MB (budget ≤ 80 MB)`,
  );
  console.log(`  instant queries per refresh: ${round(perRefresh, 1)} over ${refreshes} refreshes`);
  const out: Record<string, number> = {
    fleet_render_ms: round(ms, 1),
    fleet_queries_per_refresh: round(perRefresh, 1),
  };
  if (rss !== undefined) out.fleet_rss_mb = round(rss, 1);
  return out;
}
