import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCgroupCollector } from '../../collectors/cgroup/collector.js';
import { createCgroupDiscovery } from '../../collectors/cgroup/discover.js';
import type { WorkloadCgroup } from '../../collectors/cgroup/sample.js';
import { loadChecklist } from '../../src/checklist/load.js';
import { Engine } from '../../src/pipeline/engine.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { generateProcTree } from '../fixture-procs.js';
import { cpuMsSince, median, round } from '../stats.js';
import { generateCgroupTree, measuredTicks, writeCounters } from './cgroups.js';

/**
 * What the issue's budget is about: how much the whole engine tick (collect, derive, evaluate the
 * default checklist, trim to the carried cgroups) grows with N workload cgroups. Two engines run
 * on one generated root (a v2 tree found by discovery, beside 100 processes placed in those
 * cgroups): one with the default cgroup collector, one with `cgroupCollector: false`; their ticks
 * alternate, each after the same pause, and the figure is the difference of their medians. A
 * twentieth of the cgroups are busy: before each tick, outside the measured time, their counters
 * change and so does the CPU time of one process in each, so that the process table's activity
 * hint (collectors/cgroup/activity.ts) sees them as the agent would. Beside the figure, the cgroup
 * collector's own median (wall time of its read, which is CPU-bound) splits the growth into reading
 * and the rest (derive, evaluate, trim).
 *
 * `USEWATCH_BENCH_CGROUP_BASELINE=DIR`, DIR a build's `dist` (a checkout of the commit to compare
 * with, built), adds a third engine with that build's engine and cgroup collector on the same root,
 * its ticks alternating with the two others: both growths are printed, with their ratio over the
 * whole run and its range over five consecutive parts of it.
 */

const { warmup: WARMUP, ticks: TICKS } = measuredTicks(100, 200);
const PAUSE_MS = 5;
const PROCESSES = 100;
const BUSY_SHARE = 0.05;
const PARTS = 5;
/** CPU time a busy process gains a tick, in clock ticks (250 ms, as its cgroup's cpu.stat). */
const BUSY_PROCESS_TICKS = 25;

const pause = () => new Promise((r) => setTimeout(r, PAUSE_MS));

/** An engine of this build or of the baseline build: all the section uses of one. */
interface TickingEngine {
  tick(): Promise<{ cgroups?: unknown[]; self: { collectors: { name: string; durationMs: number }[] } }>;
  close(): void;
}

async function tickCpu(engine: TickingEngine): Promise<{ ms: number; carried: number; collectorMs: number }> {
  await pause();
  const start = process.cpuUsage();
  const frame = await engine.tick();
  const ms = cpuMsSince(start);
  const collectorMs = frame.self.collectors.find((c) => c.name === 'cgroups')?.durationMs ?? 0;
  return { ms, carried: frame.cgroups?.length ?? 0, collectorMs };
}

/** The modules an engine with cgroups is made of, from this build or from the baseline's `dist`. */
interface Build {
  Engine: typeof Engine;
  UseEvaluator: typeof UseEvaluator;
  loadChecklist: typeof loadChecklist;
  createCgroupCollector: typeof createCgroupCollector;
  createCgroupDiscovery: typeof createCgroupDiscovery;
}

const THIS_BUILD: Build = { Engine, UseEvaluator, loadChecklist, createCgroupCollector, createCgroupDiscovery };

async function loadBuild(dist: string): Promise<Build> {
  const at = (rel: string) => import(join(resolve(dist), rel));
  const [engine, evaluator, checklist, collector, discover] = await Promise.all([
    at('src/pipeline/engine.js'),
    at('src/use/evaluator.js'),
    at('src/checklist/load.js'),
    at('collectors/cgroup/collector.js'),
    at('collectors/cgroup/discover.js'),
  ]);
  return {
    Engine: engine.Engine,
    UseEvaluator: evaluator.UseEvaluator,
    loadChecklist: checklist.loadChecklist,
    createCgroupCollector: collector.createCgroupCollector,
    createCgroupDiscovery: discover.createCgroupDiscovery,
  };
}

/**
 * An engine of `build` reading the cgroups, with the agent's collector and discovery on a clock
 * that advances a second a tick as the agent's does, so that limits and re-walks come at their pace.
 */
async function engineWithCgroups(build: Build, root: string, now: () => number): Promise<TickingEngine> {
  const checklist = await build.loadChecklist();
  const cgroupCollector = build.createCgroupCollector(build.createCgroupDiscovery({ now }), { now });
  return new build.Engine({ root, evaluator: new build.UseEvaluator({ checklist }), cgroupCollector });
}

/**
 * Places the generated processes in the cgroups: the i-th of the first `busy` user processes in the
 * i-th (busy) cgroup, the others spread over the idle cgroups; kernel threads stay in the root.
 * Returns a function that advances the CPU time of the busy processes for tick `t`.
 */
function placeProcesses(root: string, cgroups: readonly WorkloadCgroup[], busy: number): (t: number) => void {
  const procs = readdirSync(join(root, 'proc'))
    .filter((d) => /^\d+$/.test(d) && readFileSync(join(root, 'proc', d, 'cgroup'), 'utf8') !== '0::/\n')
    .map((d) => join(root, 'proc', d));
  const idle = cgroups.length - busy;
  const stride = Math.max(1, Math.floor(idle / Math.max(1, procs.length - busy)));
  for (const [j, dir] of procs.entries()) {
    const cg = j < busy ? cgroups[j] : cgroups[busy + (((j - busy) * stride) % idle)];
    writeFileSync(join(dir, 'cgroup'), `0::${cg.identity.id}\n`);
  }
  const stats = procs.slice(0, busy).map((dir) => {
    const text = readFileSync(join(dir, 'stat'), 'latin1');
    const close = text.lastIndexOf(')');
    return { path: join(dir, 'stat'), head: text.slice(0, close + 2), fields: text.slice(close + 2).split(' ') };
  });
  return (t) => {
    for (const { path, head, fields } of stats) {
      // fields from the state on: utime is the 12th
      const advanced = [...fields];
      advanced[11] = String(Number(fields[11]) + BUSY_PROCESS_TICKS * t);
      writeFileSync(path, head + advanced.join(' '), 'latin1');
    }
  };
}

interface Figures {
  grows: number;
  base: number;
  carried: number;
  collector: number;
  /** With a baseline build: its growth and reading, and the ratio of ours to it over each part of the run. */
  baseline?: { grows: number; collector: number; partRatios: number[] };
}

/** Median of `on` minus median of `off`, over the whole run and over each of PARTS parts. */
function growth(on: number[], off: number[]): { whole: number; parts: number[] } {
  const size = Math.ceil(on.length / PARTS);
  const parts: number[] = [];
  for (let p = 0; p * size < on.length; p++) {
    const part = (xs: number[]) => xs.slice(p * size, (p + 1) * size);
    parts.push(median(part(on)) - median(part(off)));
  }
  return { whole: median(on) - median(off), parts };
}

async function measure(root: string, count: number, baseline: Build | undefined): Promise<Figures> {
  const cgroups = generateCgroupTree(root, count);
  // cgroup.controllers at the top: the default discovery takes the tree for a pure v2 host's
  writeFileSync(join(root, 'sys/fs/cgroup/cgroup.controllers'), 'cpu io memory pids\n');
  const busy = cgroups.slice(0, Math.round(count * BUSY_SHARE));
  const runProcesses = placeProcesses(root, cgroups, busy.length);
  let now = 0;
  const clock = () => now;
  const engines: { name: 'on' | 'off' | 'base'; engine: TickingEngine }[] = [
    { name: 'on', engine: await engineWithCgroups(THIS_BUILD, root, clock) },
    {
      name: 'off',
      engine: new Engine({
        root,
        evaluator: new UseEvaluator({ checklist: await loadChecklist() }),
        cgroupCollector: false,
      }),
    },
  ];
  if (baseline !== undefined) engines.push({ name: 'base', engine: await engineWithCgroups(baseline, root, clock) });
  const cpu = { on: [] as number[], off: [] as number[], base: [] as number[] };
  const collector = { on: [] as number[], base: [] as number[] };
  let carried = 0;
  try {
    for (let t = 1; t <= WARMUP + TICKS; t++) {
      now += 1000;
      for (const [i, cg] of busy.entries()) writeCounters(join(root, cg.v2Dir as string), i, t);
      runProcesses(t);
      // each engine goes first in turn, so that none always ticks right after the files changed
      for (let k = 0; k < engines.length; k++) {
        const { name, engine } = engines[(t + k) % engines.length];
        const r = await tickCpu(engine);
        if (t <= WARMUP) continue;
        cpu[name].push(r.ms);
        if (name !== 'off') collector[name].push(r.collectorMs);
        if (name === 'on') carried = r.carried;
      }
    }
  } finally {
    for (const { engine } of engines) engine.close();
  }
  const ours = growth(cpu.on, cpu.off);
  const figures: Figures = { grows: ours.whole, base: median(cpu.off), carried, collector: median(collector.on) };
  if (baseline !== undefined) {
    const theirs = growth(cpu.base, cpu.off);
    figures.baseline = {
      grows: theirs.whole,
      collector: median(collector.base),
      partRatios: ours.parts.map((g, p) => g / theirs.parts[p]),
    };
  }
  return figures;
}

function printBaseline(count: number, figures: Figures, out: Record<string, number>): void {
  const b = figures.baseline;
  if (b === undefined) return;
  const ratio = figures.grows / b.grows;
  console.log(
    `    baseline build: grows by ${b.grows.toFixed(2)} ms, of which reading ${b.collector.toFixed(2)} ms; ` +
      `this build / baseline ${ratio.toFixed(3)} ` +
      `(parts ${Math.min(...b.partRatios).toFixed(3)}–${Math.max(...b.partRatios).toFixed(3)})`,
  );
  out[`cgroups_engine_baseline_grows_ms_${count}`] = round(b.grows);
  out[`cgroups_engine_over_baseline_${count}`] = round(ratio);
}

export async function runCgroupsEngineBench(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const baselineDir = process.env.USEWATCH_BENCH_CGROUP_BASELINE;
  const baseline = baselineDir ? await loadBuild(baselineDir) : undefined;
  console.log(
    `cgroups (engine tick with N cgroups minus without, default checklist, ${BUSY_SHARE * 100} % busy; medians of ${TICKS} ticks after ${WARMUP}` +
      `${baselineDir ? `; beside the build in ${baselineDir}` : ''})`,
  );
  for (const [count, budget] of [
    [200, 3],
    [1000, 15],
  ]) {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-bench-cgroups-engine-'));
    try {
      generateProcTree(root, PROCESSES);
      const figures = await measure(root, count, baseline);
      console.log(
        `  ${count} cgroups: the tick grows by ${figures.grows.toFixed(2)} ms CPU (budget ≤ ${budget}); ` +
          `of which reading them ${figures.collector.toFixed(2)} ms; without cgroups ${figures.base.toFixed(2)} ms; ` +
          `${figures.carried} carried`,
      );
      out[`cgroups_engine_grows_ms_${count}`] = round(figures.grows);
      printBaseline(count, figures, out);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return out;
}
