import { catalog, type MetricName } from '../catalog/index.js';
import type { CgroupCounters, CgroupEntry } from '../model/cgroup.js';
import { type Finding, type MetricValues, metricInstances } from '../model/frame.js';

/** The catalog's per-cgroup metrics: the instances a frame trims to the carried cgroups. */
const CGROUP_METRICS: readonly MetricName[] = catalog.filter((m) => m.instance === 'cgroup').map((m) => m.name);

type Activity = (metrics: MetricValues, id: string) => number;

const value = (metrics: MetricValues, name: MetricName, id: string): number =>
  metricInstances(metrics, name)?.[id] ?? 0;

/**
 * The measures a cgroup is busy by, each its own ranking: CPU in CPUs, working set in bytes, block
 * I/O in bytes/s and the worst of its three PSI shares. Their units do not mix into one score, so
 * the carried cgroups are taken from the rankings in turn (see carriedCgroupIds).
 */
const ACTIVITIES: readonly Activity[] = [
  (m, id) => value(m, 'cgroup.cpu.usage', id),
  (m, id) => value(m, 'cgroup.memory.working_set', id),
  (m, id) => value(m, 'cgroup.io.read_bps', id) + value(m, 'cgroup.io.write_bps', id),
  (m, id) =>
    Math.max(
      value(m, 'cgroup.cpu.pressure', id),
      value(m, 'cgroup.memory.pressure', id),
      value(m, 'cgroup.io.pressure', id),
    ),
];

/**
 * The ids of the cgroups a frame carries: up to `top` by activity — the first of each ranking
 * (CPU, working set, I/O, pressure), then the second of each, and so on, skipping those already
 * taken and those at 0 — plus every cgroup that is the instance of an active (pending or firing)
 * finding, whatever its activity, so that a finding always has its cgroup's figures beside it.
 */
export function carriedCgroupIds(
  metrics: MetricValues,
  entries: readonly CgroupEntry[],
  findings: readonly Finding[],
  top: number,
): Set<string> {
  const carried = new Set<string>();
  const rankings = ACTIVITIES.map((activity) =>
    entries
      .map((e) => ({ id: e.id, v: activity(metrics, e.id) }))
      .filter((x) => x.v > 0)
      .sort((a, b) => b.v - a.v || (a.id < b.id ? -1 : 1)),
  );
  for (let rank = 0; carried.size < top && rankings.some((r) => rank < r.length); rank++) {
    for (const ranking of rankings) {
      const id = ranking[rank]?.id;
      if (id !== undefined && carried.size < top) carried.add(id);
    }
  }
  const known = new Set(entries.map((e) => e.id));
  for (const f of findings) if (f.state !== 'resolved' && known.has(f.instance)) carried.add(f.instance);
  return carried;
}

/**
 * Keeps in the metrics only the carried cgroups' instances of the `cgroup.*` metrics (in place: the
 * evaluator has already seen them all), and returns their entries and counter rows in read order.
 */
export function trimToCarried(
  metrics: MetricValues,
  entries: readonly CgroupEntry[],
  counters: readonly CgroupCounters[] | undefined,
  carried: ReadonlySet<string>,
): { entries: CgroupEntry[]; counters: CgroupCounters[] | undefined } {
  for (const name of CGROUP_METRICS) {
    const byInstance = metrics[name];
    if (byInstance === undefined) continue;
    const kept: Record<string, number> = {};
    let any = false;
    for (const id in byInstance) {
      if (!carried.has(id)) continue;
      kept[id] = byInstance[id];
      any = true;
    }
    if (any) metrics[name] = kept;
    else delete metrics[name];
  }
  return {
    entries: entries.filter((e) => carried.has(e.id)),
    counters: counters?.filter((c) => carried.has(c.id)),
  };
}
