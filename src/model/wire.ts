import { catalog } from '../catalog/index.js';
import type { CgroupEntry } from './cgroup.js';
import type { Finding, Frame, MetricValues, ProcessEntry, UseCell } from './frame.js';

/**
 * The JSON form of a frame on the feed and in recordings. Lists of two or more like objects (USE
 * cells, processes, evidence processes) go as tables: column names once, then one array of values
 * per item. Their keys were about half of a frame's bytes, and every byte is paid for by each of a
 * thousand feed clients and by the recorder's deflate. Readers accept both forms.
 */
export interface Table {
  cols: string[];
  /** One array per item, in `cols` order; null where the item has no value; trailing nulls dropped. */
  rows: unknown[][];
}

export const USE_COLUMNS = [
  'resource',
  'instance',
  'dimension',
  'status',
  'metric',
  'value',
  'unit',
  'reason',
] as const satisfies readonly (keyof UseCell)[];

/** Always-present fields first, so rows of processes that lack the rarer ones end early. */
export const PROCESS_COLUMNS = [
  'pid',
  'name',
  'cmd',
  'user',
  'state',
  'cpu',
  'rssBytes',
  'threads',
  'runDelay',
  'majorFaultsPs',
  'fds',
  'fdLimit',
  'readBps',
  'writeBps',
  'rssGrowthBps',
  'cgroup',
] as const satisfies readonly (keyof ProcessEntry)[];

/**
 * The fields of a cgroup entry in its wire table. The cgroup's metrics go in the same rows, between
 * the names and the rarer fields (see wireCgroups); entry fields never hold a dot, metric names do.
 */
export const CGROUP_NAME_COLUMNS = ['id', 'name', 'kind'] as const satisfies readonly (keyof CgroupEntry)[];
export const CGROUP_DETAIL_COLUMNS = [
  'runtime',
  'processes',
  'cpuLimit',
  'memoryMaxBytes',
  'memoryHighBytes',
  'pidsMax',
  'container',
  'pod',
  'namespace',
] as const satisfies readonly (keyof CgroupEntry)[];

/** The catalog's per-cgroup metrics, in catalog order: the metric columns of the cgroups table. */
const CGROUP_METRICS: readonly string[] = catalog.filter((m) => m.instance === 'cgroup').map((m) => m.name);

/** A list as it goes on the wire: a table from two items on (one item is smaller as an object). */
function wireList<T extends object>(items: readonly T[], cols: readonly (keyof T & string)[]): Table | readonly T[] {
  return items.length < 2 ? items : toTable(items, cols);
}

export function toTable<T extends object>(items: readonly T[], cols: readonly (keyof T & string)[]): Table {
  const rows: unknown[][] = [];
  for (const item of items) {
    // Packed arrays (push, no holes) keep JSON.stringify on its fast path.
    const row: unknown[] = [];
    let end = 0;
    for (let c = 0; c < cols.length; c++) {
      const value = item[cols[c]];
      row.push(value === undefined ? null : value);
      if (value !== undefined) end = c + 1;
    }
    while (row.length > end) row.pop();
    rows.push(row);
  }
  return { cols: cols as unknown as string[], rows };
}

/**
 * Keys that name or reach an object's prototype. A recording or a peer could send them as metric,
 * instance or column names; they are dropped wherever such data is parsed, so no later
 * `map[name]` can read or write Object.prototype.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// A cheap test that lets ordinary lines take the fast JSON.parse; `\u` because an escaped key decodes to one.
const MAY_HOLD_PROTOTYPE_KEY = /__proto__|constructor|prototype|\\u/;

/** JSON.parse of a frame or a message from a recording or a peer, without any of PROTOTYPE_KEYS as a key, at any depth. */
export function parseWireJson(text: string): unknown {
  if (!MAY_HOLD_PROTOTYPE_KEY.test(text)) return JSON.parse(text);
  return JSON.parse(text, (key, value) => (PROTOTYPE_KEYS.has(key) ? undefined : value));
}

export function isTable(value: unknown): value is Table {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { cols, rows } = value as Partial<Table>;
  return Array.isArray(cols) && cols.every((c) => typeof c === 'string') && Array.isArray(rows);
}

/** The items of a table; a row that is not an array, or longer than the columns, is an error naming it. */
export function fromTable(table: Table): { ok: true; items: Record<string, unknown>[] } | { ok: false; error: string } {
  const { cols, rows } = table;
  const items: Record<string, unknown>[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row)) return { ok: false, error: `row ${i} is not an array` };
    if (row.length > cols.length)
      return { ok: false, error: `row ${i} has ${row.length} values for ${cols.length} columns` };
    const item: Record<string, unknown> = {};
    for (let c = 0; c < row.length; c++) {
      if (row[c] === null) continue;
      if (!PROTOTYPE_KEYS.has(cols[c])) item[cols[c]] = row[c];
    }
    items[i] = item;
  }
  return { ok: true, items };
}

/** Frame sections as they go on the wire; sections not listed here are sent as they are. */
export function wireSection<S extends keyof Frame>(frame: Frame, section: S): unknown {
  switch (section) {
    case 'use':
      return wireList(frame.use, USE_COLUMNS);
    case 'processes':
      return wireList(frame.processes, PROCESS_COLUMNS);
    case 'findings':
      return frame.findings.map(wireFinding);
    case 'cgroups':
      return frame.cgroups && wireCgroups(frame.cgroups, frame.metrics).table;
    default:
      return frame[section];
  }
}

function wireFinding(finding: Finding): unknown {
  return {
    ...finding,
    evidence: { ...finding.evidence, processes: wireList(finding.evidence.processes, PROCESS_COLUMNS) },
  };
}

/** The frame with its lists as tables and without in-process fields (`counters`), ready for JSON.stringify. */
export function toWire(frame: Frame): Record<string, unknown> {
  const { counters: _counters, ...wire } = frame;
  const out: Record<string, unknown> = {
    ...wire,
    use: wireSection(frame, 'use'),
    findings: wireSection(frame, 'findings'),
    processes: wireSection(frame, 'processes'),
  };
  if (frame.cgroups !== undefined) {
    const { table, metrics } = wireCgroups(frame.cgroups, frame.metrics);
    out.cgroups = table;
    out.metrics = metrics;
  }
  return out;
}

/**
 * The cgroups as one table holding each cgroup's `cgroup.*` metrics beside its entry, and the
 * metrics without those instances. Keyed by metric then instance, every metric would repeat the
 * cgroup's id ("/kubepods.slice/…/cri-containerd-<64 hex>.scope" runs to 150 characters) about
 * fifteen times; in the table it is written once. Readers fold the values back (foldCgroupMetrics).
 */
export function wireCgroups(
  entries: readonly CgroupEntry[],
  metrics: MetricValues,
): { table: Table | readonly CgroupEntry[]; metrics: MetricValues } {
  if (entries.length === 0) return { table: entries, metrics };
  const metricCols = CGROUP_METRICS.filter((name) => metrics[name] !== undefined);
  const cols = [...CGROUP_NAME_COLUMNS, ...metricCols, ...CGROUP_DETAIL_COLUMNS];
  const rows = entries.map((e) => {
    const values: Record<string, unknown> = { ...e };
    for (const name of metricCols) values[name] = metrics[name][e.id];
    return values;
  });
  const rest: MetricValues = { ...metrics };
  const ids = new Set(entries.map((e) => e.id));
  for (const name of metricCols) {
    const others: Record<string, number> = {};
    let any = false;
    for (const instance in metrics[name]) {
      if (ids.has(instance)) continue;
      others[instance] = metrics[name][instance];
      any = true;
    }
    if (any) rest[name] = others;
    else delete rest[name];
  }
  return { table: toTable(rows, cols), metrics: rest };
}

/**
 * Moves the metric values a decoded cgroups list carries (keys with a dot) into the frame's metrics,
 * leaving the entries as the model has them. In place; a frame without cgroups is left alone.
 */
export function foldCgroupMetrics(frame: { metrics?: MetricValues; cgroups?: readonly object[] }): void {
  if (frame.cgroups === undefined) return;
  for (const item of frame.cgroups as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const fields = item as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (!key.includes('.')) continue;
      const value = fields[key];
      delete fields[key];
      if (typeof fields.id !== 'string' || typeof value !== 'number' || !CGROUP_METRICS.includes(key)) continue;
      frame.metrics ??= {};
      frame.metrics[key] ??= {};
      const byInstance = frame.metrics[key];
      if (typeof byInstance === 'object' && byInstance !== null) byInstance[fields.id] = value;
    }
  }
}

/**
 * Turns the tables of a parsed wire frame back into lists, in place. Sections that are absent or
 * already lists are left alone (an older recording, a jq cut, a narrowed feed frame); the shapes of
 * the items are for the caller to check. An error names the section and the row.
 */
export function expandTables(wire: Record<string, unknown>): string | undefined {
  for (const section of ['use', 'processes', 'cgroups'] as const) {
    const error = expandField(wire, section, section);
    if (error) return error;
  }
  if (Array.isArray(wire.cgroups)) {
    if (wire.metrics !== undefined && (typeof wire.metrics !== 'object' || wire.metrics === null)) {
      return 'metrics: not an object';
    }
    foldCgroupMetrics(wire as { metrics?: MetricValues; cgroups: object[] });
  }
  const findings = wire.findings;
  if (!Array.isArray(findings)) return undefined;
  for (let i = 0; i < findings.length; i++) {
    const evidence = (findings[i] as { evidence?: unknown } | null)?.evidence;
    if (typeof evidence !== 'object' || evidence === null) continue;
    const error = expandField(evidence as Record<string, unknown>, 'processes', `findings.${i}.evidence.processes`);
    if (error) return error;
  }
  return undefined;
}

function expandField(holder: Record<string, unknown>, field: string, where: string): string | undefined {
  const value = holder[field];
  if (!isTable(value)) return undefined;
  const table = fromTable(value);
  if (!table.ok) return `${where}: ${table.error}`;
  holder[field] = table.items;
  return undefined;
}
