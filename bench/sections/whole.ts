import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ringCapacity } from '../../src/agent/state.js';
import { freePort } from '../free-port.js';
import { round } from '../stats.js';
import { type CpuProfile, functionBuckets, nodeJobs, summariseProfile, unbundleProfile } from '../whole/cpu-profile.js';
import { baselineBin, parseWholeOptions, type UnitLaunch, unitLaunch, type WholeOptions } from '../whole/options.js';
import { memoryMb, minorFaults, treeCpuMs } from '../whole/proc-stat.js';
import { budgetLine, ratio, type SubjectFigures, settledGrowthMbPerHour, wholeBudgets } from '../whole/report.js';
import { scrapeBytes, scrapeUntil } from '../whole/scrape.js';
import { StderrTail, withStderr } from '../whole/stderr-tail.js';
import {
  type NodeThreadLayout,
  readThreads,
  type ThreadCpu,
  type ThreadGroup,
  threadBreakdown,
} from '../whole/threads.js';
import { AGENT_BIN, countProcesses, nodeExporterBinary, stop, topUpProcesses, waitUp } from './scrape.js';

/**
 * The agent as a user runs it (the built CLI, the shipped unit's Node flags and environment, default
 * log level), node_exporter with its process collector, and a bare Node reader of the same files,
 * all three at once, each measured by the CPU of its own process tree over the same steady-state window.
 */

const UNIT = fileURLToPath(new URL('../../../deploy/systemd/usewatch.service', import.meta.url));
const BARE_READER = fileURLToPath(new URL('../bare-reader.js', import.meta.url));

interface Subject {
  name: string;
  child: ChildProcess;
  /** Its /metrics, for the two exporters. */
  url?: string;
  /** What it last wrote to stderr, printed when it fails to start. */
  stderr: StderrTail;
}

/** stdout (the agent's log lines) goes nowhere; stderr is piped, for its tail. */
const STDIO: ['ignore', 'ignore', 'pipe'] = ['ignore', 'ignore', 'pipe'];

function subject(name: string, child: ChildProcess, url?: string): Subject {
  return { name, child, url, stderr: new StderrTail(child.stderr) };
}

function agentSubject(name: string, bin: string, launch: UnitLaunch, port: number, extraFlags: string[]): Subject {
  const child = spawn(
    process.execPath,
    [...launch.nodeFlags, ...extraFlags, bin, 'agent', '--listen', `127.0.0.1:${port}`],
    { stdio: STDIO, env: { ...process.env, ...launch.env } },
  );
  return subject(name, child, `http://127.0.0.1:${port}/metrics`);
}

/** usewatch, the bare reader, node_exporter when installed, and the baseline agent when asked for, in that order. */
async function startSubjects(
  launch: UnitLaunch,
  profileDir: string | undefined,
  baseline?: string,
): Promise<Subject[]> {
  const profiling = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const subjects: Subject[] = [
    agentSubject('usewatch', AGENT_BIN, launch, await freePort(), profiling),
    subject('bare reader', spawn(process.execPath, [BARE_READER], { stdio: STDIO })),
  ];
  const nodeExporter = nodeExporterBinary();
  if (nodeExporter !== undefined) {
    const port = await freePort();
    const child = spawn(nodeExporter, ['--collector.processes', `--web.listen-address=127.0.0.1:${port}`], {
      stdio: STDIO,
    });
    subjects.push(subject('node_exporter', child, `http://127.0.0.1:${port}/metrics`));
  } else console.log('  node_exporter not installed (Debian: apt-get install prometheus-node-exporter)');
  if (baseline !== undefined) subjects.push(agentSubject('baseline', baseline, launch, await freePort(), []));
  return subjects;
}

function layoutOf(launch: UnitLaunch): NodeThreadLayout {
  const v8 = launch.nodeFlags.find((f) => f.startsWith('--v8-pool-size='));
  return {
    v8PoolSize: v8 === undefined ? 4 : Number(v8.split('=')[1]),
    uvPoolSize: Number(launch.env.UV_THREADPOOL_SIZE ?? 4),
  };
}

/** The key of a thread group in the JSON figures. */
const THREAD_KEYS: Record<ThreadGroup, string> = {
  main: 'main',
  'V8 workers (compiler, GC)': 'v8',
  'libuv pool': 'libuv',
  other: 'other',
};

/** The window is read in this many parts too, so that a comparison with a baseline gives a range. */
const PARTS = 6;

/** Each subject's CPU (ms of its tree) at the start of the window and at the end of each part. */
async function readParts(
  subjects: Subject[],
  urls: string[],
  opts: WholeOptions,
  startedAt: number,
): Promise<number[][]> {
  const readAll = () => subjects.map((s) => treeCpuMs(s.child.pid as number));
  const readings = [readAll()];
  for (let part = 1; part <= PARTS; part++) {
    await scrapeUntil(urls, opts.connection, startedAt, opts.warmupS + (opts.windowS * part) / PARTS);
    readings.push(readAll());
  }
  return readings;
}

function printThreads(name: string, pid: number, before: ThreadCpu[], layout: NodeThreadLayout, wallS: number) {
  const perS: Partial<Record<ThreadGroup, number>> = {};
  console.log(`  ${name} by thread (ms of CPU per second; ${layout.v8PoolSize} V8, ${layout.uvPoolSize} libuv):`);
  for (const [group, { threads, cpuMs }] of threadBreakdown(pid, before, readThreads(pid), layout)) {
    console.log(`    ${group.padEnd(28)} ${String(threads).padStart(2)} threads  ${round(cpuMs / wallS, 2)} ms/s`);
    perS[group] = round(cpuMs / wallS, 2);
  }
  return perS;
}

/**
 * Runs warm-up and window; returns each subject's figures over the window and over each of its
 * parts, and puts the agent's CPU per thread group into `results`.
 */
async function measureWindow(
  subjects: Subject[],
  opts: WholeOptions,
  startedAt: number,
  layout: NodeThreadLayout,
  results: Record<string, number>,
): Promise<{ whole: SubjectFigures[]; parts: number[][] }> {
  const urls = subjects.flatMap((s) => (s.url === undefined ? [] : [s.url]));
  const agents = subjects.filter((s) => s.url !== undefined && s.name !== 'node_exporter');
  await scrapeUntil(urls, opts.connection, startedAt, opts.warmupS);
  const threads0 = agents.map((s) => readThreads(s.child.pid as number));
  const faults0 = subjects.map((s) => minorFaults(s.child.pid as number));
  const t0 = performance.now();
  const readings = await readParts(subjects, urls, opts, startedAt);
  const wallS = (performance.now() - t0) / 1000;
  const whole = subjects.map((s, i) => ({
    name: s.name,
    cpuMsPerS: (readings[PARTS][i] - readings[0][i]) / wallS,
    peakRssMb: memoryMb(s.child.pid as number).peak,
    minorFaultsPerS: (minorFaults(s.child.pid as number) - faults0[i]) / wallS,
  }));
  agents.forEach((agent, i) => {
    const perS = printThreads(agent.name, agent.child.pid as number, threads0[i], layout, wallS);
    if (agent.name !== 'usewatch') return;
    for (const [group, ms] of Object.entries(perS))
      results[`whole_usewatch_threads_${THREAD_KEYS[group as ThreadGroup]}_ms_per_s`] = ms;
  });
  const partS = wallS / PARTS;
  const parts = readings.slice(1).map((r, p) => r.map((ms, i) => (ms - readings[p][i]) / partS));
  return { whole, parts };
}

/** usewatch against the baseline build over the window and each of its parts; lower is better. */
function printBaselineRatio(subjects: Subject[], whole: SubjectFigures[], parts: number[][]): Record<string, number> {
  const a = subjects.findIndex((s) => s.name === 'usewatch');
  const b = subjects.findIndex((s) => s.name === 'baseline');
  if (b < 0) return {};
  const overall = ratio(whole[a].cpuMsPerS, whole[b].cpuMsPerS);
  const each = parts.map((p) => round(ratio(p[a], p[b]), 3));
  console.log(
    `  usewatch / baseline build    ${round(overall, 3)} × over the window (${round(whole[a].cpuMsPerS, 2)} against ` +
      `${round(whole[b].cpuMsPerS, 2)} ms/s); in its ${PARTS} parts: ${each.join(', ')} ×`,
  );
  return { whole_usewatch_over_baseline: round(overall, 3) };
}

/** /metrics body bytes of each exporter, asked with and without gzip. */
async function printWireBytes(subjects: Subject[], results: Record<string, number>): Promise<void> {
  for (const s of subjects) {
    if (s.url === undefined) continue;
    const plain = await scrapeBytes(s.url, 'new', false);
    const gzip = await scrapeBytes(s.url, 'new', true);
    const key = `whole_${s.name.replace(' ', '_')}`;
    results[`${key}_body_kb`] = round(plain / 1024, 1);
    results[`${key}_body_gzip_kb`] = round(gzip / 1024, 1);
    console.log(
      `  ${s.name.padEnd(14)} /metrics on the wire: ${round(plain / 1024, 1)} KB, ${round(gzip / 1024, 1)} KB asked for gzip`,
    );
  }
}

/** Keeps scraping the agent once a second and samples its RSS; prints the growth per hour. */
async function soak(agent: Subject, opts: WholeOptions, startedAt: number): Promise<Record<string, number>> {
  const pid = agent.child.pid as number;
  const from = opts.warmupS + opts.windowS;
  const samples = [{ atS: from, rssMb: memoryMb(pid).current }];
  let next = from + opts.soakSampleS;
  await scrapeUntil([agent.url as string], opts.connection, startedAt, from + opts.soakS, (atS) => {
    if (atS < next) return;
    samples.push({ atS, rssMb: memoryMb(pid).current });
    next += opts.soakSampleS;
  });
  // The agent runs at 1 s, so its ring holds ringCapacity(1000) seconds of frames once full.
  const ringFullS = ringCapacity(1000);
  const { growth, used, settled } = settledGrowthMbPerHour(samples, ringFullS);
  const last = samples[samples.length - 1];
  console.log(
    `  soak: ${samples.length} RSS samples over ${round(last.atS - from, 0)} s, ${round(samples[0].rssMb, 1)} → ` +
      `${round(last.rssMb, 1)} MB, peak ${round(memoryMb(pid).peak, 1)} MB; ` +
      (settled
        ? `growth from the ${used} samples taken once the ${ringFullS}-frame ring was full (${ringFullS} s after start)`
        : `the soak ended before the frame ring was full (${ringFullS} s after start): the growth includes its filling`),
  );
  console.log(budgetLine({ what: 'usewatch RSS growth', value: growth, limit: 5, unit: 'MB/h' }));
  return { whole_soak_growth_mb_per_h: round(growth, 2) };
}

/**
 * The agent's main thread over the window from the profile it wrote on exit: self time by module
 * folder, then by job (each sample charged to the innermost caller with a job: a collector, a
 * deriver, the checklist, /metrics, logging; see nodeJobs).
 */
function printProfile(profileDir: string, opts: WholeOptions): void {
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`${profileDir}: the agent wrote no .cpuprofile on exit`);
  const written = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  const profile = unbundleProfile(written, bundleSourceMap);
  const from = opts.warmupS * 1000;
  const to = (opts.warmupS + opts.windowS) * 1000;
  console.log(`  usewatch main thread by module folder (self time over the window, from --cpu-prof):`);
  for (const s of summariseProfile(profile, from, to)) {
    console.log(`    ${s.bucket.padEnd(30)} ${round(s.ms / opts.windowS, 2)} ms/s  ${round(s.share * 100, 1)} %`);
  }
  const jobs = summariseProfile(profile, from, to, nodeJobs(profile));
  const busyMs = jobs.reduce((sum, s) => sum + (s.bucket === '(idle)' ? 0 : s.ms), 0);
  console.log(`  usewatch main thread by job (sampled time over the window; share of the time not idle):`);
  for (const s of jobs) {
    const share = s.bucket === '(idle)' ? '' : `  ${round((s.ms / busyMs) * 100, 1)} %`;
    console.log(`    ${s.bucket.padEnd(42)} ${round(s.ms / opts.windowS, 2)} ms/s${share}`);
  }
  console.log(`  usewatch main thread, the ${TOP_FUNCTIONS} functions with the most self time over the window:`);
  const functions = summariseProfile(profile, from, to, functionBuckets(profile)).filter((s) => s.bucket !== '(idle)');
  for (const s of functions.slice(0, TOP_FUNCTIONS))
    console.log(`    ${round(s.ms / opts.windowS, 3)} ms/s  ${s.bucket}`);
}

const TOP_FUNCTIONS = 30;

/** The source map beside a file of the bundled CLI, read once per file. */
const sourceMaps = new Map<string, SourceMap | undefined>();
function bundleSourceMap(url: string): SourceMap | undefined {
  if (!sourceMaps.has(url)) {
    const file = `${fileURLToPath(url)}.map`;
    sourceMaps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : undefined);
  }
  return sourceMaps.get(url);
}

function printFigures(figures: SubjectFigures[], processes: number): Record<string, number> {
  const results: Record<string, number> = {};
  for (const f of figures) {
    const key = `whole_${f.name.replace(' ', '_')}`;
    results[`${key}_ms_per_s`] = round(f.cpuMsPerS, 2);
    results[`${key}_peak_rss_mb`] = round(f.peakRssMb, 1);
    results[`${key}_minor_faults_per_s`] = round(f.minorFaultsPerS, 1);
    console.log(
      `  ${f.name.padEnd(14)} ${round(f.cpuMsPerS, 2)} ms of CPU per second, peak RSS ${round(f.peakRssMb, 1)} MB, ` +
        `${round(f.minorFaultsPerS, 1)} minor page faults a second`,
    );
  }
  const named = (name: string) => figures.find((f) => f.name === name);
  for (const check of wholeBudgets(figures[0], named('bare reader'), named('node_exporter'), processes))
    console.log(budgetLine(check));
  return results;
}

async function runSubjects(
  opts: WholeOptions,
  launch: UnitLaunch,
  baseline: string | undefined,
): Promise<Record<string, number>> {
  const profileDir = opts.cpuProf ? mkdtempSync(join(tmpdir(), 'usewatch-prof-')) : undefined;
  const startedAt = performance.now();
  const subjects = await startSubjects(launch, profileDir, baseline);
  try {
    for (const s of subjects)
      if (s.url !== undefined)
        await waitUp(s.url, s.child).catch((err) => {
          throw withStderr(err, s.name, s.stderr);
        });
    const threads: Record<string, number> = {};
    const { whole, parts } = await measureWindow(subjects, opts, startedAt, layoutOf(launch), threads);
    const results = {
      ...printFigures(whole, opts.processes),
      ...printBaselineRatio(subjects, whole, parts),
      ...threads,
    };
    await printWireBytes(subjects, results);
    for (const s of subjects.slice(1)) await stop(s.child);
    if (opts.soakS > 0) Object.assign(results, await soak(subjects[0], opts, startedAt));
    await stop(subjects[0].child);
    if (profileDir !== undefined) printProfile(profileDir, opts);
    return results;
  } finally {
    for (const s of subjects) await stop(s.child);
    if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
  }
}

export async function runWholeBench(): Promise<Record<string, number>> {
  const opts = parseWholeOptions(process.argv, process.env);
  if (!existsSync(AGENT_BIN)) {
    console.log(`\nwhole process: skipped, ${AGENT_BIN} is missing (npm run build)`);
    return {};
  }
  const launch = unitLaunch(readFileSync(UNIT, 'utf8'), UNIT);
  const baseline = opts.baseline === undefined ? undefined : baselineBin(opts.baseline, existsSync);
  // The three subjects are processes of the host too.
  const stopFillers = topUpProcesses(opts.processes - 3);
  try {
    console.log(
      `\nwhole process (all three at once, ${countProcesses() + 3} processes, scraped at 1 Hz over ` +
        `${opts.connection === 'new' ? 'a new connection per scrape' : 'one kept-alive connection, as Prometheus does'}, ` +
        `window ${opts.warmupS}–${opts.warmupS + opts.windowS} s after start)`,
    );
    return await runSubjects(opts, launch, baseline);
  } finally {
    stopFillers();
  }
}
