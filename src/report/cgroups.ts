import type { MetricName } from '../catalog/index.js';
import type { CgroupEntry } from '../model/cgroup.js';
import type { Finding } from '../model/frame.js';

/**
 * A service or container over a check's window: who it is (its latest carried entry, limits
 * included), rates and pressure as means over the samples that carried it, memory and tasks at
 * their peak, events as totals. A figure the window never measured is absent.
 */
export interface CgroupSummary extends CgroupEntry {
  /** Samples of the window that carried it (a frame carries only the top cgroups). */
  samples: number;
  cpu: {
    /** CPUs used. */
    usage?: number;
    /** Share of its CPU quota, or of the host's CPUs without one. */
    utilization?: number;
    /** Share of CFS periods throttled by the quota. */
    throttled?: number;
    /** Time held back by the quota per second. */
    throttledTime?: number;
    pressure?: number;
  };
  memory: {
    workingSetPeakBytes?: number;
    /** Peak working set against the lower of memory.high and memory.max. */
    utilizationPeak?: number;
    pressure?: number;
    highEvents?: number;
    maxEvents?: number;
    oomKills?: number;
  };
  io: { readBps?: number; writeBps?: number; opsPs?: number; pressure?: number };
  pids: { peak?: number; utilizationPeak?: number; forkFailures?: number };
  /** Ids of the window's findings on this cgroup. */
  findings: string[];
}

/** How the window's figures of one metric and instance are read back from the run's folds. */
export interface WindowFigures {
  mean(metric: MetricName, instance: string): number | undefined;
  peak(metric: MetricName, instance: string): number | undefined;
  total(metric: MetricName, instance: string): number | undefined;
}

/** The busiest this many by CPU, and this many by memory, are reported. */
export const CGROUPS_REPORTED = 5;

function summarize(entry: CgroupEntry, samples: number, w: WindowFigures, findings: readonly Finding[]): CgroupSummary {
  const id = entry.id;
  return {
    ...entry,
    samples,
    cpu: {
      usage: w.mean('cgroup.cpu.usage', id),
      utilization: w.mean('cgroup.cpu.utilization', id),
      throttled: w.mean('cgroup.cpu.throttled', id),
      throttledTime: w.mean('cgroup.cpu.throttled_time', id),
      pressure: w.mean('cgroup.cpu.pressure', id),
    },
    memory: {
      workingSetPeakBytes: w.peak('cgroup.memory.working_set', id),
      utilizationPeak: w.peak('cgroup.memory.utilization', id),
      pressure: w.mean('cgroup.memory.pressure', id),
      highEvents: w.total('cgroup.memory.high_events', id),
      maxEvents: w.total('cgroup.memory.max_events', id),
      oomKills: w.total('cgroup.memory.oom_kills', id),
    },
    io: {
      readBps: w.mean('cgroup.io.read_bps', id),
      writeBps: w.mean('cgroup.io.write_bps', id),
      opsPs: w.mean('cgroup.io.ops_ps', id),
      pressure: w.mean('cgroup.io.pressure', id),
    },
    pids: {
      peak: w.peak('cgroup.pids.current', id),
      utilizationPeak: w.peak('cgroup.pids.utilization', id),
      forkFailures: w.total('cgroup.pids.fork_failures', id),
    },
    findings: findings.filter((f) => f.instance === id).map((f) => f.id),
  };
}

function topBy(list: readonly CgroupSummary[], measure: (s: CgroupSummary) => number | undefined): CgroupSummary[] {
  return list
    .filter((s) => measure(s) !== undefined)
    .sort((a, b) => (measure(b) ?? 0) - (measure(a) ?? 0))
    .slice(0, CGROUPS_REPORTED);
}

/** Worth reporting whatever its rank: a finding, an OOM kill or a refused fork. */
function eventful(s: CgroupSummary): boolean {
  return s.findings.length > 0 || (s.memory.oomKills ?? 0) > 0 || (s.pids.forkFailures ?? 0) > 0;
}

/**
 * The cgroups a check reports: the busiest by mean CPU and by peak working set, and every one with
 * a finding, an OOM kill or a refused fork; busiest CPU first.
 */
export function windowCgroups(
  carried: ReadonlyMap<string, { entry: CgroupEntry; samples: number }>,
  figures: WindowFigures,
  findings: readonly Finding[],
): CgroupSummary[] {
  const all = [...carried.values()].map(({ entry, samples }) => summarize(entry, samples, figures, findings));
  const kept = new Set([
    ...topBy(all, (s) => s.cpu.usage),
    ...topBy(all, (s) => s.memory.workingSetPeakBytes),
    ...all.filter(eventful),
  ]);
  return [...kept].sort(
    (a, b) => (b.cpu.usage ?? -1) - (a.cpu.usage ?? -1) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
}
