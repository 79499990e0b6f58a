import { catalog, type MetricName } from '../catalog/index.js';
import type { CgroupCounters, CgroupEntry } from '../model/cgroup.js';
import { type Finding, type MetricValues, metricInstances } from '../model/frame.js';

/** The catalog's per-cgroup metrics: the instances a frame trims to the carried cgroups. */
const CGROUP_METRICS: readonly MetricName[] = catalog.filter((m) => m.instance === 'cgroup').map((m) => m.name);

/** A cgroup's activity on one measure, from the tick's metrics (0 when unmeasured). */
type Activity = (metrics: MetricValues) => (id: string) => number;

const value = (metrics: MetricValues, name: MetricName): ((id: string) => number) => {
  const byId = metricInstances(metrics, name);
  return (id) => byId?.[id] ?? 0;
};

/**
 * The measures a cgroup is busy by, each its own ranking: CPU in CPUs, working set in bytes, block
 * I/O in bytes/s and the worst of its three PSI shares. Their units do not mix into one score, so
 * the carried cgroups are taken from the rankings in turn (see carriedCgroupIds).
 */
const ACTIVITIES: readonly Activity[] = [
  (m) => value(m, 'cgroup.cpu.usage'),
  (m) => value(m, 'cgroup.memory.working_set'),
  (m) => {
    const [read, write] = [value(m, 'cgroup.io.read_bps'), value(m, 'cgroup.io.write_bps')];
    return (id) => read(id) + write(id);
  },
  (m) => {
    const [cpu, memory, io] = [
      value(m, 'cgroup.cpu.pressure'),
      value(m, 'cgroup.memory.pressure'),
      value(m, 'cgroup.io.pressure'),
    ];
    return (id) => Math.max(cpu(id), memory(id), io(id));
  },
];

interface Ranked {
  id: string;
  v: number;
}

/** Whether `a` ranks before `b`: the higher value first, then the lower id (ids are unique). */
const ranksBefore = (a: Ranked, b: Ranked): boolean => a.v > b.v || (a.v === b.v && a.id < b.id);

/**
 * The first `k` of the ranking of the entries by `activity`, those at 0 left out: the same list as
 * sorting them all and taking the head, found in one pass that keeps only `k` (a host has a
 * thousand cgroups, a frame carries a handful).
 */
export function topRanked(entries: readonly CgroupEntry[], activity: (id: string) => number, k: number): Ranked[] {
  const top: Ranked[] = [];
  if (k <= 0) return top;
  for (const e of entries) {
    const v = activity(e.id);
    if (!(v > 0)) continue;
    const x = { id: e.id, v };
    if (top.length === k && !ranksBefore(x, top[k - 1])) continue;
    let i = top.length === k ? k - 1 : top.length;
    while (i > 0 && ranksBefore(x, top[i - 1])) {
      top[i] = top[i - 1];
      i--;
    }
    top[i] = x;
  }
  return top;
}

/**
 * The ids of the cgroups a frame carries: up to `top` by activity — the first of each ranking
 * (CPU, working set, I/O, pressure), then the second of each, and so on, skipping those already
 * taken and those at 0 — plus every cgroup that is the instance of an active (pending or firing)
 * finding, whatever its activity, so that a finding always has its cgroup's figures beside it.
 * No ranking is read deeper than `top`: the first d of a ranking are all taken by the time its
 * d+1-th is looked at, so d < top.
 */
export function carriedCgroupIds(
  metrics: MetricValues,
  entries: readonly CgroupEntry[],
  findings: readonly Finding[],
  top: number,
): Set<string> {
  const carried = new Set<string>();
  const rankings = ACTIVITIES.map((activity) => topRanked(entries, activity(metrics), top));
  for (let rank = 0; carried.size < top && rankings.some((r) => rank < r.length); rank++) {
    for (const ranking of rankings) {
      const id = ranking[rank]?.id;
      if (id !== undefined && carried.size < top) carried.add(id);
    }
  }
  let known: Set<string> | undefined;
  for (const f of findings) {
    if (f.state === 'resolved' || f.instance === '') continue;
    known ??= new Set(entries.map((e) => e.id));
    if (known.has(f.instance)) carried.add(f.instance);
  }
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
  const kept = entries.filter((e) => carried.has(e.id));
  // only the carried ids are looked up, in read order: the metrics keep the order they were set in
  for (const name of CGROUP_METRICS) {
    const byInstance = metrics[name];
    if (byInstance === undefined) continue;
    const trimmed: Record<string, number> = {};
    let any = false;
    for (const { id } of kept) {
      const v = byInstance[id];
      if (v === undefined) continue;
      trimmed[id] = v;
      any = true;
    }
    if (any) metrics[name] = trimmed;
    else delete metrics[name];
  }
  return {
    entries: kept,
    counters: counters?.filter((c) => carried.has(c.id)),
  };
}
