import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '../free-port.js';
import { peakRssGrowth, pingFlood, pipelineFlood, rssMb } from '../hostile-clients.js';
import { round } from '../stats.js';

/**
 * The agent's RSS growth while a local client floods it without reading: `{"type":"ping"}` on the
 * feed, and pipelined `GET /metrics` on one and on two connections. Each flood runs against a fresh
 * agent (the built CLI in a child process, as in production), and the same run measures how long
 * SIGTERM takes while the flood goes on. Budget: growth under 100 MB, SIGTERM within 2 s.
 */

const AGENT_BIN = fileURLToPath(new URL('../../bin/usewatch.js', import.meta.url));
/** Long enough for an unbounded server to show it (it grew by about 60 MB/s), short enough for a bench. */
const FLOOD_MS = Number(process.env.USEWATCH_BENCH_FLOOD_SECONDS ?? 10) * 1000;

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function startAgent(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [AGENT_BIN, 'agent', '--listen', `127.0.0.1:${port}`, '--interval', '1s', '--log-level', 'warn'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the agent exited with ${child.exitCode}`);
    if ((await status(`${url}/healthz`)) === 200) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/healthz did not answer 200 within 20 s`);
}

/** SIGTERM; the time until the process is gone (SIGKILL after 10 s). */
function stopTimed(child: ChildProcess): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(0);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(performance.now() - t0);
    });
    child.kill('SIGTERM');
  });
}

interface FloodFigures {
  growthMb: number;
  /** /healthz answers that were not 200 during the flood, out of one a second. */
  failedHealth: number;
  stopMs: number;
}

async function measure(flood: (url: string) => Promise<unknown>): Promise<FloodFigures> {
  const { child, url } = await startAgent();
  const pid = child.pid ?? 0;
  // Let the first scrape and the first ticks settle before taking the baseline.
  await status(`${url}/metrics`);
  await new Promise((r) => setTimeout(r, 2000));
  const baseline = rssMb(pid) ?? 0;
  let failedHealth = 0;
  const work = flood(url);
  const probes = (async () => {
    for (let t = 0; t < FLOOD_MS - 1000; t += 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      if ((await status(`${url}/healthz`)) !== 200) failedHealth++;
    }
  })();
  // SIGTERM while the flood still runs, at its end.
  const growth = peakRssGrowth(pid, baseline, Promise.all([probes, new Promise((r) => setTimeout(r, FLOOD_MS - 200))]));
  const growthMb = await growth;
  const stopMs = await stopTimed(child);
  await work;
  return { growthMb: round(growthMb, 1), failedHealth, stopMs: round(stopMs, 0) };
}

function print(name: string, f: FloodFigures): void {
  console.log(
    `  ${name.padEnd(34)} RSS +${f.growthMb} MB, /healthz failures ${f.failedHealth}, SIGTERM ${f.stopMs} ms`,
  );
}

export async function runHostileBench(): Promise<Record<string, number>> {
  if (!existsSync(AGENT_BIN)) {
    console.log(`\nhostile clients: skipped, ${AGENT_BIN} is missing (npm run build)`);
    return {};
  }
  console.log(
    `\nhostile clients: agent RSS growth during a ${FLOOD_MS / 1000} s flood that never reads (budget 100 MB)`,
  );
  const ping = await measure((url) => pingFlood(url, FLOOD_MS));
  print('feed ping flood', ping);
  const pipeline = await measure((url) => pipelineFlood(url, '/metrics', FLOOD_MS));
  print('pipelined GET /metrics, 1 conn', pipeline);
  const pipeline2 = await measure((url) => pipelineFlood(url, '/metrics', FLOOD_MS, 2));
  print('pipelined GET /metrics, 2 conns', pipeline2);
  return {
    hostile_ping_rss_growth_mb: ping.growthMb,
    hostile_ping_stop_ms: ping.stopMs,
    hostile_pipeline_rss_growth_mb: pipeline.growthMb,
    hostile_pipeline_stop_ms: pipeline.stopMs,
    hostile_pipeline2_rss_growth_mb: pipeline2.growthMb,
    hostile_pipeline2_stop_ms: pipeline2.stopMs,
  };
}
