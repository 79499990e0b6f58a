import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { USER_HZ } from '../../src/derive/units.js';
import { freePort } from '../free-port.js';
import { percentile, round } from '../stats.js';

/**
 * /metrics scrape latency and CPU, and the whole agent process's CPU at 1 Hz, measured on the built
 * agent in a child process (as it runs in production). Budgets: scrape p99 ≤ 5 ms, agent ≤ 1 % of one core.
 */

export interface ScrapeBenchOptions {
  /** Length of each whole-process CPU window; USEWATCH_BENCH_AGENT_SECONDS overrides, 60 by default. */
  agentSeconds?: number;
  scrapes?: number;
}

/** The host: about 100 processes. A smaller one is topped up with idle children. */
const TARGET_PROCESSES = 100;

export const AGENT_BIN = fileURLToPath(new URL('../../bin/usewatch.js', import.meta.url));

/** utime + stime of a process in seconds, from /proc/<pid>/stat (fields 14 and 15, after the comm). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

function scrape(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    get(url, { agent: keepAlive }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    }).on('error', reject);
  });
}

export async function waitUp(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      await scrape(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within 20 s`);
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface Figures {
  p50: number;
  p99: number;
  cpuMsPerScrape: number;
  /** Whole process at 1 Hz in the first window after the warm-up, while V8 still compiles hot code. */
  warmingPct: number;
  /** The same in the window after it: the daemon's steady state, which the budget is about. */
  idlePct: number;
  bytes: number;
}

/** Whole-process CPU over `windowS` seconds, scraped once a second as Prometheus would. */
async function windowPct(pid: number, metricsUrl: string, windowS: number): Promise<number> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  for (let s = 0; s < windowS; s++) {
    await scrape(metricsUrl);
    await new Promise((r) => setTimeout(r, 1000 - ((performance.now() - t0) % 1000)));
  }
  return ((cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
}

/** Scrape-latency burst and a 1 Hz whole-process window against one running exporter. */
async function measure(
  child: ChildProcess,
  metricsUrl: string,
  windowS: number,
  scrapes: number,
  warmupS: number,
): Promise<Figures> {
  const pid = child.pid as number;
  await waitUp(metricsUrl, child);
  // A daemon's cost is its steady state: the first minute still pays for V8 compiling the hot code
  // on background threads, which the whole-process CPU counts (1.56 % then against 1.13 % later here).
  const w0 = performance.now();
  for (let s = 0; s < warmupS; s++) {
    await scrape(metricsUrl);
    await new Promise((r) => setTimeout(r, 1000 - ((performance.now() - w0) % 1000)));
  }

  // V8 keeps compiling for about two minutes at one tick a second (TurboFan on its worker threads:
  // 0.4–0.5 % of a core 30–120 s after start, 0.07 % after), so two windows: still warming, then steady.
  const warmingPct = await windowPct(pid, metricsUrl, windowS);
  const idlePct = await windowPct(pid, metricsUrl, windowS);

  for (let i = 0; i < 30; i++) await scrape(metricsUrl);
  const times: number[] = [];
  const burstCpu0 = cpuSeconds(pid);
  const burst0 = performance.now();
  for (let i = 0; i < scrapes; i++) times.push(await scrape(metricsUrl));
  const burstS = (performance.now() - burst0) / 1000;
  // The burst's CPU less what the process spends anyway (ticks) over the same time.
  const scrapeCpuS = cpuSeconds(pid) - burstCpu0 - (idlePct / 100) * burstS;
  const bytes = await new Promise<number>((resolve, reject) => {
    get(metricsUrl, { agent: keepAlive }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
      });
      res.on('end', () => resolve(n));
    }).on('error', reject);
  });
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    cpuMsPerScrape: Math.max(0, (scrapeCpuS * 1000) / scrapes),
    warmingPct,
    idlePct,
    bytes,
  };
}

/** node_exporter as its release names it, or as Debian's prometheus-node-exporter package does. */
export function nodeExporterBinary(): string | undefined {
  return ['node_exporter', 'prometheus-node-exporter'].find((bin) => !spawnSync(bin, ['--version']).error);
}

export function countProcesses(): number {
  return readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name)).length;
}

/** Idle children that bring the host to `target` processes; killed by the returned function. */
export function topUpProcesses(target: number): () => void {
  const children: ChildProcess[] = [];
  for (let n = countProcesses(); n < target; n++) children.push(spawn('sleep', ['3600'], { stdio: 'ignore' }));
  return () => {
    for (const child of children) child.kill('SIGKILL');
  };
}

export async function runScrapeBench(opts: ScrapeBenchOptions = {}): Promise<Record<string, number>> {
  const windowS = Number(process.env.USEWATCH_BENCH_AGENT_SECONDS ?? opts.agentSeconds ?? 60);
  const warmupS = Number(process.env.USEWATCH_BENCH_AGENT_WARMUP ?? 60);
  const scrapes = opts.scrapes ?? 300;
  if (!existsSync(AGENT_BIN)) {
    console.log(`\n/metrics scrape and agent CPU: skipped, ${AGENT_BIN} is missing (npm run build)`);
    return {};
  }
  const stopFillers = topUpProcesses(TARGET_PROCESSES);
  try {
    console.log(
      `\n/metrics scrape and agent CPU (built agent, 1 s interval, ${countProcesses()} processes, ` +
        `two ${windowS} s windows after ${warmupS} s warm-up)`,
    );
    return await compare(windowS, scrapes, warmupS);
  } finally {
    stopFillers();
  }
}

async function compare(windowS: number, scrapes: number, warmupS: number): Promise<Record<string, number>> {
  const port = await freePort();
  const agent = spawn(
    process.execPath,
    [AGENT_BIN, 'agent', '--listen', `127.0.0.1:${port}`, '--interval', '1s', '--log-level', 'warn'],
    { stdio: 'ignore' },
  );
  let ours: Figures;
  try {
    ours = await measure(agent, `http://127.0.0.1:${port}/metrics`, windowS, scrapes, warmupS);
  } finally {
    await stop(agent);
  }
  const results: Record<string, number> = {
    scrape_p50_ms: round(ours.p50),
    scrape_p99_ms: round(ours.p99),
    scrape_cpu_ms: round(ours.cpuMsPerScrape),
    scrape_body_kb: round(ours.bytes / 1024, 1),
    agent_cpu_pct_warming: round(ours.warmingPct, 2),
    agent_cpu_pct: round(ours.idlePct, 2),
  };
  const from = warmupS;
  const mid = warmupS + windowS;
  const line = (who: string, f: Figures) =>
    `  ${who.padEnd(14)} scrape p50 ${round(f.p50, 2)} ms  p99 ${round(f.p99, 2)} ms  CPU/scrape ${round(f.cpuMsPerScrape, 2)} ms  ` +
    `body ${round(f.bytes / 1024, 1)} KB\n  ${''.padEnd(14)} whole process at 1 Hz: ${round(f.warmingPct, 2)} % of one core ` +
    `${from}–${mid} s after start, ${round(f.idlePct, 2)} % ${mid}–${mid + windowS} s (steady state)`;
  console.log(line('usewatch', ours));
  console.log('  budgets: scrape p99 ≤ 5 ms, agent ≤ 1 % of one core in steady state');

  const nodeExporter = nodeExporterBinary();
  if (nodeExporter === undefined) {
    console.log('  node_exporter not installed (Debian: apt-get install prometheus-node-exporter)');
    return results;
  }
  const nePort = await freePort();
  const ne = spawn(nodeExporter, [`--web.listen-address=127.0.0.1:${nePort}`, '--log.level=warn'], {
    stdio: 'ignore',
  });
  try {
    const theirs = await measure(ne, `http://127.0.0.1:${nePort}/metrics`, windowS, scrapes, warmupS);
    console.log(line('node_exporter', theirs));
    results.node_exporter_scrape_p99_ms = round(theirs.p99);
    results.node_exporter_cpu_pct = round(theirs.idlePct, 2);
  } finally {
    await stop(ne);
  }
  return results;
}
