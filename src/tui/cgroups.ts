import { catalog, type MetricName } from '../catalog/index.js';
import type { CgroupEntry } from '../model/cgroup.js';
import type { Finding, Frame, ProcessEntry, Resource } from '../model/frame.js';

/**
 * The services and containers table: the frame's carried cgroups (`Frame.cgroups`) with their
 * `cgroup.*` metrics, built once per frame, sort and filter, like the process list.
 */

export type CgroupSortKey = 'cpu' | 'memory' | 'io' | 'pressure' | 'throttled';
export const CGROUP_SORT_KEYS: readonly CgroupSortKey[] = ['cpu', 'memory', 'io', 'pressure', 'throttled'];

/** The catalog's per-cgroup metrics, each a figure of a row. */
const CGROUP_METRICS: readonly MetricName[] = catalog.filter((m) => m.instance === 'cgroup').map((m) => m.name);

/** The events a cgroup counts per interval: the detail sums them over the history window too. */
export const CGROUP_EVENT_METRICS = [
  'cgroup.memory.oom_kills',
  'cgroup.memory.high_events',
  'cgroup.memory.max_events',
  'cgroup.pids.fork_failures',
] as const satisfies readonly MetricName[];

export interface CgroupRow {
  entry: CgroupEntry;
  /** The cgroup's values of the `cgroup.*` metrics on the frame; a metric it lacks is absent. */
  figures: Partial<Record<MetricName, number>>;
  /** The worst active (pending or firing) finding whose instance is this cgroup. */
  finding?: Finding;
}

/**
 * A metric instance that is a cgroup: its id is a path below the hierarchy root. Mount points are
 * paths too, so filesystem instances never are; no other resource has instances starting with "/".
 */
export function isCgroupInstance(resource: Resource, instance: string): boolean {
  return resource !== 'filesystem' && instance.startsWith('/');
}

/** What people call a cgroup: its carried entry's name, else the last segment of its path. */
export function cgroupName(entry: CgroupEntry | undefined, id: string): string {
  if (entry) return entry.name;
  return id.split('/').filter(Boolean).at(-1) ?? id;
}

function buildRow(frame: Frame, entry: CgroupEntry, worstFirst: readonly Finding[]): CgroupRow {
  const figures: Partial<Record<MetricName, number>> = {};
  for (const name of CGROUP_METRICS) {
    const value = frame.metrics[name]?.[entry.id];
    if (value !== undefined) figures[name] = value;
  }
  const finding = worstFirst.find(
    (f) => f.instance === entry.id && f.state !== 'resolved' && isCgroupInstance(f.resource, f.instance),
  );
  return { entry, figures, finding };
}

/** The highest of the three pressure figures: how much the cgroup stalls on anything. */
export function worstPressure(row: CgroupRow): number | undefined {
  const values = [
    row.figures['cgroup.cpu.pressure'],
    row.figures['cgroup.memory.pressure'],
    row.figures['cgroup.io.pressure'],
  ].filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : Math.max(...values);
}

/** Read plus write bytes per second, or undefined when neither was measured. */
export function ioBytesPerSecond(row: CgroupRow): number | undefined {
  const read = row.figures['cgroup.io.read_bps'];
  const write = row.figures['cgroup.io.write_bps'];
  return read === undefined && write === undefined ? undefined : (read ?? 0) + (write ?? 0);
}

const SORT_MEASURE: Record<CgroupSortKey, (row: CgroupRow) => number | undefined> = {
  cpu: (r) => r.figures['cgroup.cpu.usage'],
  memory: (r) => r.figures['cgroup.memory.working_set'] ?? r.figures['cgroup.memory.used'],
  io: ioBytesPerSecond,
  pressure: worstPressure,
  throttled: (r) => r.figures['cgroup.cpu.throttled'],
};

const byName = new Intl.Collator('en', { numeric: true });

/** Rows sorted by the measure, highest first; a row without it goes last; ties by name. */
export function sortCgroupRows(rows: readonly CgroupRow[], sort: CgroupSortKey, filter: string): CgroupRow[] {
  const needle = filter.toLowerCase();
  const measure = SORT_MEASURE[sort];
  const kept = needle
    ? rows.filter((r) => r.entry.name.toLowerCase().includes(needle) || r.entry.id.toLowerCase().includes(needle))
    : rows.slice();
  return kept.sort(
    (a, b) =>
      (measure(b) ?? -1) - (measure(a) ?? -1) ||
      byName.compare(a.entry.name, b.entry.name) ||
      byName.compare(a.entry.id, b.entry.id),
  );
}

/**
 * Every carried cgroup of the frame as a row, in the frame's order. `worstFirst` is the frame's
 * findings with the active ones first, the worst leading (as the findings section lists them).
 */
export function cgroupRows(frame: Frame, worstFirst: readonly Finding[]): CgroupRow[] {
  return (frame.cgroups ?? []).map((entry) => buildRow(frame, entry, worstFirst));
}

/** The processes of the frame's list that run in the cgroup, by CPU. */
export function processesOf(frame: Frame, id: string): ProcessEntry[] {
  return frame.processes.filter((p) => p.cgroup === id).sort((a, b) => b.cpu - a.cpu || a.pid - b.pid);
}

/** The cgroup's event counts of a frame, for the history the detail sums them from. */
export function* cgroupEventValues(frame: Frame): Iterable<[string, number | undefined]> {
  for (const entry of frame.cgroups ?? []) {
    for (const name of CGROUP_EVENT_METRICS) yield [cgroupEventKey(entry.id, name), frame.metrics[name]?.[entry.id]];
  }
}

export function cgroupEventKey(id: string, metric: MetricName): string {
  return `cgroup|${id}|${metric}`;
}
