import { type CellStatus, DIMENSIONS, type Dimension, RESOURCES, type Resource } from '../model/frame.js';

/** One series of an instant query's vector result, as Prometheus' HTTP API gives it. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** What one refresh reads of the selected targets (the queries are in query.ts). */
export interface FleetResponses {
  /** Per job, instance and resource: the worst status of each dimension, one digit each (`decodeRow`). */
  cells: readonly VectorSample[];
  /** The `usewatch_finding_*` series. */
  findings: readonly VectorSample[];
  /** `up` of the same targets. */
  up: readonly VectorSample[];
}

/** A cell's worst status over its instances; `down` marks a host whose last scrape failed. */
export type FleetStatus = Exclude<CellStatus, 'gap'>;

export interface FleetFinding {
  rule: string;
  resource: string;
  dimension: string;
  /** The disk, interface or mount; empty for host-wide rules. */
  instance: string;
  firing: boolean;
  severity: 'warning' | 'critical';
  culprit: string;
}

export interface FleetHost {
  /** The target's `instance` label: the agent's address as Prometheus scrapes it. */
  name: string;
  job: string;
  /** The target's labels (from `up`), for `--feed-label`. */
  labels: Readonly<Record<string, string>>;
  /** False when Prometheus' last scrape of it failed; undefined when it has no `up` series. */
  up: boolean | undefined;
  /** Worst status per resource and dimension, over the resource's instances. */
  cells: Partial<Record<Resource, FleetRow>>;
  worst: FleetStatus | 'down';
  findings: FleetFinding[];
  /** Findings firing (pending ones are not counted). */
  firing: number;
}

export interface Fleet {
  hosts: FleetHost[];
  /** The resources some host has a cell for, in the order of top's grid: the grid's columns. */
  resources: Resource[];
}

/** Worse first: a host that cannot be scraped hides everything else. */
const RANK: Record<FleetStatus | 'down', number> = { down: 4, critical: 3, warning: 2, unknown: 1, ok: 0 };
/** The rank digits of the cells query (query.ts): 0 is no cell. */
const STATUS_OF_DIGIT: readonly (FleetStatus | undefined)[] = [
  undefined,
  'ok',
  'unknown',
  'warning',
  undefined,
  'critical',
];
const RESOURCE_SET: ReadonlySet<string> = new Set(RESOURCES);

export function worse<T extends FleetStatus | 'down'>(a: T, b: T): T {
  return RANK[a] >= RANK[b] ? a : b;
}

function hostOf(hosts: Map<string, FleetHost>, metric: Record<string, string>): FleetHost {
  const name = metric.instance ?? '';
  let host = hosts.get(name);
  if (!host) {
    host = { name, job: metric.job ?? '', labels: {}, up: undefined, cells: {}, worst: 'ok', findings: [], firing: 0 };
    hosts.set(name, host);
  }
  return host;
}

/** The identity of a finding within its host: the labels every finding series shares. */
function findingKey(m: Record<string, string>): string {
  return `${m.rule}\u0000${m.usewatch_instance ?? ''}`;
}

/** A resource's worst status per dimension. */
export type FleetRow = Readonly<Partial<Record<Dimension, FleetStatus>>>;

/** The rows of the values seen so far: at most one per value below 10³, shared by every host. */
const ROW_OF_VALUE = new Map<number, FleetRow>();
const NO_ROW: FleetRow = Object.freeze({});
const ROW_LIMIT = 10 ** DIMENSIONS.length;

/**
 * One resource's statuses from the cells query's value: a decimal digit per dimension, utilization
 * the units, saturation the tens, errors the hundreds. A value that is not such a number gives none.
 * Rows are shared: a fleet of a thousand hosts holds a few dozen row objects, not nine thousand.
 */
export function decodeRow(value: number): FleetRow {
  if (!Number.isInteger(value) || value < 0 || value >= ROW_LIMIT) return NO_ROW;
  let row = ROW_OF_VALUE.get(value);
  if (row) return row;
  const statuses: Partial<Record<Dimension, FleetStatus>> = {};
  // Index loops, here and below: a refresh walks some ten thousand series, and the fleet's V8
  // settings (no optimising compiler, tui/footprint.ts) leave every iterator and closure allocated.
  for (let i = 0, rest = value; i < DIMENSIONS.length; i++, rest = (rest - (rest % 10)) / 10) {
    const status = STATUS_OF_DIGIT[rest % 10];
    if (status) statuses[DIMENSIONS[i]] = status;
  }
  row = Object.freeze(statuses);
  ROW_OF_VALUE.set(value, row);
  return row;
}

function addCells(hosts: Map<string, FleetHost>, resources: Set<string>, s: VectorSample): void {
  const host = hostOf(hosts, s.metric);
  const { resource } = s.metric;
  if (!RESOURCE_SET.has(resource)) return;
  const row = decodeRow(Number(s.value[1]));
  if (isEmpty(row)) return;
  host.cells[resource as Resource] = row;
  resources.add(resource);
}

/** Without `Object.keys`: no array per series. */
function isEmpty(row: object): boolean {
  for (const _ in row) return false;
  return true;
}

type Partial3 = { active?: number; severity?: number; culprit?: string; m: Record<string, string> };

/** The finding series of one host, joined on their identity. */
function joinFindings(parts: Map<string, Partial3>): FleetFinding[] {
  const findings: FleetFinding[] = [];
  for (const { active, severity, culprit, m } of parts.values()) {
    // A finding is raised while it has an active series; the info series alone is not enough.
    if (active === undefined) continue;
    findings.push({
      rule: m.rule ?? '',
      resource: m.resource ?? '',
      dimension: m.dimension ?? '',
      instance: m.usewatch_instance ?? '',
      firing: active === 1,
      severity: severity === 2 ? 'critical' : 'warning',
      culprit: culprit ?? '',
    });
  }
  return findings.sort(
    (a, b) =>
      Number(b.firing) - Number(a.firing) ||
      (b.severity === 'critical' ? 1 : 0) - (a.severity === 'critical' ? 1 : 0) ||
      a.rule.localeCompare(b.rule) ||
      a.instance.localeCompare(b.instance),
  );
}

function addFindingPart(parts: Map<string, Map<string, Partial3>>, host: string, s: VectorSample): void {
  const m = s.metric;
  let ofHost = parts.get(host);
  if (!ofHost) {
    ofHost = new Map();
    parts.set(host, ofHost);
  }
  const key = findingKey(m);
  const part = ofHost.get(key) ?? { m };
  const value = Number(s.value[1]);
  if (m.__name__ === 'usewatch_finding_active') part.active = value;
  else if (m.__name__ === 'usewatch_finding_severity') part.severity = value;
  else part.culprit = m.culprit;
  ofHost.set(key, part);
}

/**
 * The fleet from one refresh's responses: a host per target `instance`, its cells' worst status
 * per resource and dimension, its findings. Pure. Hosts are unsorted; see `sortHosts`.
 */
export function buildFleet(responses: FleetResponses): Fleet {
  const hosts = new Map<string, FleetHost>();
  const findingParts = new Map<string, Map<string, Partial3>>();
  const resources = new Set<string>();
  const { cells, findings, up } = responses;
  for (let i = 0; i < cells.length; i++) addCells(hosts, resources, cells[i]);
  for (let i = 0; i < findings.length; i++)
    addFindingPart(findingParts, hostOf(hosts, findings[i].metric).name, findings[i]);
  // `up` of a job without usewatch series is another exporter's (node_exporter): not a usewatch host.
  const jobs = new Set<string>();
  for (const host of hosts.values()) jobs.add(host.job);
  for (let i = 0; i < up.length; i++) {
    const s = up[i];
    if (!jobs.has(s.metric.job ?? '')) continue;
    const host = hostOf(hosts, s.metric);
    host.up = s.value[1] === '1';
    const { __name__, ...labels } = s.metric;
    host.labels = labels;
  }
  for (const host of hosts.values()) {
    const parts = findingParts.get(host.name);
    if (parts) host.findings = joinFindings(parts);
    for (let i = 0; i < host.findings.length; i++) if (host.findings[i].firing) host.firing++;
    host.worst = host.up === false ? 'down' : worstCell(host);
  }
  return { hosts: [...hosts.values()], resources: RESOURCES.filter((r) => resources.has(r)) };
}

function worstCell(host: FleetHost): FleetStatus {
  let worst: FleetStatus = 'ok';
  for (let r = 0; r < RESOURCES.length; r++) {
    const row = host.cells[RESOURCES[r]];
    if (row) for (let d = 0; d < DIMENSIONS.length; d++) worst = worse(worst, row[DIMENSIONS[d]] ?? 'ok');
  }
  return worst;
}

/** Worst first, then the most firing findings, then by name: the hosts that need someone come first. */
export function sortHosts(hosts: readonly FleetHost[]): FleetHost[] {
  return [...hosts].sort(
    (a, b) => RANK[b.worst] - RANK[a.worst] || b.firing - a.firing || a.name.localeCompare(b.name),
  );
}

/** Hosts whose name, job or a finding's rule contains `text` (case-insensitive); all when it is empty. */
export function filterHosts(hosts: readonly FleetHost[], text: string): readonly FleetHost[] {
  if (text === '') return hosts;
  const needle = text.toLowerCase();
  return hosts.filter(
    (h) =>
      h.name.toLowerCase().includes(needle) ||
      h.job.toLowerCase().includes(needle) ||
      h.findings.some((f) => f.rule.toLowerCase().includes(needle)),
  );
}
