import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCgroupCollector } from '../../collectors/cgroup/collector.js';
import { createCgroupDiscovery } from '../../collectors/cgroup/discover.js';
import { loadChecklist } from '../../src/checklist/load.js';
import { Engine } from '../../src/pipeline/engine.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { generateProcTree } from '../fixture-procs.js';
import { cpuMsSince, median, round } from '../stats.js';
import { generateCgroupTree, measuredTicks, writeCounters } from './cgroups.js';

/**
 * What the budget is about: how much the whole engine tick (collect, derive, evaluate the
 * default checklist, trim to the carried cgroups) grows with N workload cgroups. Two engines run
 * on one generated root (a v2 tree found by discovery, beside 100 processes): one
 * with the default cgroup collector, one with `cgroupCollector: false`; their ticks alternate,
 * each after the same pause, and the figure is the difference of their medians. A twentieth of
 * the cgroups are busy, their counters changed before each tick outside the measured time.
 * Beside the figure, the cgroup collector's own median (wall time of its read, which is CPU-bound)
 * splits the growth into reading and the rest (derive, evaluate, trim).
 */

const { warmup: WARMUP, ticks: TICKS } = measuredTicks(100, 200);
const PAUSE_MS = 5;
const PROCESSES = 100;
const BUSY_SHARE = 0.05;

const pause = () => new Promise((r) => setTimeout(r, PAUSE_MS));

async function tickCpu(engine: Engine): Promise<{ ms: number; carried: number; collectorMs: number }> {
  await pause();
  const start = process.cpuUsage();
  const frame = await engine.tick();
  const ms = cpuMsSince(start);
  const collectorMs = frame.self.collectors.find((c) => c.name === 'cgroups')?.durationMs ?? 0;
  return { ms, carried: frame.cgroups?.length ?? 0, collectorMs };
}

interface Figures {
  grows: number;
  base: number;
  carried: number;
  collector: number;
}

async function measure(root: string, count: number): Promise<Figures> {
  const cgroups = generateCgroupTree(root, count);
  // cgroup.controllers at the top: the default discovery takes the tree for a pure v2 host's
  writeFileSync(join(root, 'sys/fs/cgroup/cgroup.controllers'), 'cpu io memory pids\n');
  const checklist = await loadChecklist();
  // the agent's collector and discovery, on a clock that advances a second a tick as the agent's does,
  // so that limits and re-walks come at their real pace
  let now = 0;
  const cgroupCollector = createCgroupCollector(createCgroupDiscovery({ now: () => now }), { now: () => now });
  const withCgroups = new Engine({ root, evaluator: new UseEvaluator({ checklist }), cgroupCollector });
  const without = new Engine({ root, evaluator: new UseEvaluator({ checklist }), cgroupCollector: false });
  const busy = cgroups.slice(0, Math.round(count * BUSY_SHARE));
  const on: number[] = [];
  const off: number[] = [];
  const collector: number[] = [];
  let carried = 0;
  try {
    for (let t = 1; t <= WARMUP + TICKS; t++) {
      now += 1000;
      for (const [i, cg] of busy.entries()) writeCounters(join(root, cg.v2Dir as string), i, t);
      const a = await tickCpu(withCgroups);
      const b = await tickCpu(without);
      carried = a.carried;
      if (t > WARMUP) {
        on.push(a.ms);
        off.push(b.ms);
        collector.push(a.collectorMs);
      }
    }
  } finally {
    withCgroups.close();
    without.close();
  }
  return { grows: median(on) - median(off), base: median(off), carried, collector: median(collector) };
}

export async function runCgroupsEngineBench(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  console.log(
    `cgroups (engine tick with N cgroups minus without, default checklist, ${BUSY_SHARE * 100} % busy; medians of ${TICKS} ticks after ${WARMUP})`,
  );
  for (const [count, budget] of [
    [200, 3],
    [1000, 15],
  ]) {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-bench-cgroups-engine-'));
    try {
      generateProcTree(root, PROCESSES);
      const figures = await measure(root, count);
      console.log(
        `  ${count} cgroups: the tick grows by ${figures.grows.toFixed(2)} ms CPU (budget ≤ ${budget}); ` +
          `of which reading them ${figures.collector.toFixed(2)} ms; without cgroups ${figures.base.toFixed(2)} ms; ` +
          `${figures.carried} carried`,
      );
      out[`cgroups_engine_grows_ms_${count}`] = round(figures.grows);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return out;
}
