import type { MetricName } from '../catalog/index.js';
import type { CgroupEntry } from '../model/cgroup.js';
import {
  type CellStatus,
  type Dimension,
  type Finding,
  type Frame,
  type ProcessEntry,
  RESOURCES,
  type Resource,
} from '../model/frame.js';
import {
  type CgroupRow,
  type CgroupSortKey,
  cgroupEventValues,
  cgroupName,
  cgroupRows,
  isCgroupInstance,
  sortCgroupRows,
} from './cgroups.js';

/** The lists the screen shows and the keys select in; derived from a frame, never stored apart from it. */

export interface CellView {
  /** Undefined for cells the view derived itself (per-CPU rows without rules): shown uncoloured. */
  status?: CellStatus;
  metric?: string;
  value?: number;
  unit?: string;
  reason?: string;
}

export interface GridRow {
  resource: Resource;
  instance: string;
  label: string;
  cells: Partial<Record<Dimension, CellView>>;
}

export type SortKey = 'cpu' | 'memory' | 'io' | 'runDelay' | 'fds';
export const SORT_KEYS: readonly SortKey[] = ['cpu', 'memory', 'io', 'runDelay', 'fds'];

const SHORT_NAME: Record<Resource, string> = {
  cpu: 'cpu',
  memory: 'memory',
  disk: 'disk',
  network: 'net',
  filesystem: 'fs',
  fd: 'fd',
  tasks: 'tasks',
  tcp: 'tcp',
  conntrack: 'conntrack',
};

const CORE_METRIC: MetricName = 'cpu.core_utilization';

export function cellKey(resource: Resource, instance: string, dimension: Dimension): string {
  return `${resource}|${instance}|${dimension}`;
}

/**
 * How a resource instance is named on screen: "cpu", " cpu0" (a per-CPU row, indented under cpu),
 * "disk vda", and for a cgroup "cpu nginx.service" (its name rather than its path).
 */
export function rowLabel(resource: Resource, instance: string, frame?: Frame): string {
  if (instance === '') return SHORT_NAME[resource];
  if (isCgroupInstance(resource, instance)) {
    const entry = frame && cgroupEntry(frame, instance);
    return `${SHORT_NAME[resource]} ${cgroupName(entry, instance)}`;
  }
  return resource === 'cpu' ? ` ${instance}` : `${SHORT_NAME[resource]} ${instance}`;
}

/** A per-CPU cell (cpu0, cpu1…): shown only with per-CPU rows; a cgroup's cpu cells always are. */
function isPerCpu(resource: Resource, instance: string): boolean {
  return resource === 'cpu' && instance !== '' && !isCgroupInstance(resource, instance);
}

const byInstance = new Intl.Collator('en', { numeric: true });
const resourceOrder = new Map(RESOURCES.map((r, i) => [r, i]));

function buildRows(frame: Frame, perCpu: boolean): GridRow[] {
  const rows = new Map<string, GridRow>();
  let hasCoreCells = false;
  for (const cell of frame.use) {
    const perCpuCell = isPerCpu(cell.resource, cell.instance);
    hasCoreCells ||= perCpuCell;
    if (perCpuCell && !perCpu) continue;
    const id = `${cell.resource}|${cell.instance}`;
    let row = rows.get(id);
    if (!row) {
      row = {
        resource: cell.resource,
        instance: cell.instance,
        label: rowLabel(cell.resource, cell.instance, frame),
        cells: {},
      };
      rows.set(id, row);
    }
    row.cells[cell.dimension] = {
      status: cell.status,
      metric: cell.metric,
      value: cell.value,
      unit: cell.unit,
      reason: cell.reason,
    };
  }
  // Without per-CPU rules the per-CPU view still shows each CPU's utilization, uncoloured.
  if (perCpu && !hasCoreCells) {
    for (const [instance, value] of Object.entries(frame.metrics[CORE_METRIC] ?? {})) {
      rows.set(`cpu|${instance}`, {
        resource: 'cpu',
        instance,
        label: rowLabel('cpu', instance),
        cells: { utilization: { metric: CORE_METRIC, value, unit: 'ratio' } },
      });
    }
  }
  return [...rows.values()].sort(
    (a, b) =>
      (resourceOrder.get(a.resource) ?? 99) - (resourceOrder.get(b.resource) ?? 99) ||
      (a.instance === '' ? -1 : b.instance === '' ? 1 : byInstance.compare(a.instance, b.instance)),
  );
}

const SEVERITY_RANK = { critical: 0, warning: 1 } as const;
const STATE_RANK = { firing: 0, pending: 1, resolved: 2 } as const;

/** Active findings first (critical, firing, oldest), then resolved ones, most recently resolved first. */
function buildFindings(frame: Frame): Finding[] {
  return [...frame.findings].sort((a, b) => {
    const resolvedA = a.state === 'resolved';
    const resolvedB = b.state === 'resolved';
    if (resolvedA !== resolvedB) return resolvedA ? 1 : -1;
    if (resolvedA) return (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0);
    return (
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      STATE_RANK[a.state] - STATE_RANK[b.state] ||
      a.since - b.since ||
      a.id.localeCompare(b.id)
    );
  });
}

const SORT_MEASURE: Record<SortKey, (p: ProcessEntry) => number> = {
  cpu: (p) => p.cpu,
  memory: (p) => p.rssBytes,
  io: (p) => (p.readBps ?? 0) + (p.writeBps ?? 0),
  runDelay: (p) => p.runDelay ?? -1,
  fds: (p) => p.fds ?? -1,
};

function buildProcesses(frame: Frame, sort: SortKey, filter: string): ProcessEntry[] {
  const needle = filter.toLowerCase();
  const measure = SORT_MEASURE[sort];
  const kept = needle
    ? frame.processes.filter((p) => p.name.toLowerCase().includes(needle) || p.cmd.toLowerCase().includes(needle))
    : frame.processes.slice();
  return kept.sort((a, b) => measure(b) - measure(a) || a.pid - b.pid);
}

interface Derived {
  rows?: GridRow[];
  rowsPerCpu?: GridRow[];
  findings?: Finding[];
  processes?: { key: string; list: ProcessEntry[] };
  cgroupsById?: Map<string, CgroupEntry>;
  cgroupRows?: CgroupRow[];
  services?: { key: string; list: CgroupRow[] };
}

// Redraws happen on keys and resizes too; lists are built once per frame (and sort/filter).
const derived = new WeakMap<Frame, Derived>();

function cache(frame: Frame): Derived {
  let d = derived.get(frame);
  if (!d) {
    d = {};
    derived.set(frame, d);
  }
  return d;
}

export function gridRows(frame: Frame, perCpu: boolean): GridRow[] {
  const d = cache(frame);
  if (perCpu) {
    d.rowsPerCpu ??= buildRows(frame, true);
    return d.rowsPerCpu;
  }
  d.rows ??= buildRows(frame, false);
  return d.rows;
}

export function sortedFindings(frame: Frame): Finding[] {
  const d = cache(frame);
  d.findings ??= buildFindings(frame);
  return d.findings;
}

export function visibleProcesses(frame: Frame, sort: SortKey, filter: string): ProcessEntry[] {
  const d = cache(frame);
  const key = `${sort}\0${filter}`;
  if (d.processes?.key !== key) d.processes = { key, list: buildProcesses(frame, sort, filter) };
  return d.processes.list;
}

/** The carried cgroup of that id on the frame, if it is carried. */
export function cgroupEntry(frame: Frame, id: string): CgroupEntry | undefined {
  const d = cache(frame);
  d.cgroupsById ??= new Map((frame.cgroups ?? []).map((c) => [c.id, c]));
  return d.cgroupsById.get(id);
}

/** The unit or container a process runs in, as the process table names it; "" outside any. */
export function processUnit(frame: Frame | undefined, p: ProcessEntry): string {
  if (p.cgroup === undefined) return '';
  return cgroupName(frame && cgroupEntry(frame, p.cgroup), p.cgroup);
}

/** The services and containers table: carried cgroups sorted by the measure, filtered by name or id. */
export function visibleCgroups(frame: Frame, sort: CgroupSortKey, filter: string): CgroupRow[] {
  const d = cache(frame);
  d.cgroupRows ??= cgroupRows(frame, sortedFindings(frame));
  const key = `${sort}\0${filter}`;
  if (d.services?.key !== key) d.services = { key, list: sortCgroupRows(d.cgroupRows, sort, filter) };
  return d.services.list;
}

/** What the history keeps of a frame: every grid cell's value and each carried cgroup's event counts. */
export function* historyValues(frame: Frame): Iterable<[string, number | undefined]> {
  yield* cellValues(frame);
  yield* cgroupEventValues(frame);
}

/** Every cell's value in a frame, per-CPU rows included, for the sparkline history. */
export function* cellValues(frame: Frame): Iterable<[string, number | undefined]> {
  for (const row of gridRows(frame, true)) {
    for (const [dimension, cell] of Object.entries(row.cells) as [Dimension, CellView][]) {
      yield [cellKey(row.resource, row.instance, dimension), cell.status === 'gap' ? undefined : cell.value];
    }
  }
}
