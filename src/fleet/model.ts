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
  cells: Partial<Record<Resource, Partial<Record<Dimension, FleetStatus>>>>;
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

/**
 * One resource's statuses from the cells query's value: a decimal digit per dimension, utilization
 * the units, saturation the tens, errors the hundreds. A value that is not such a number gives none.
 */
export function decodeRow(value: number): Partial<Record<Dimension, FleetStatus>> {
  const row: Partial<Record<Dimension, FleetStatus>> = {};
  if (!Number.isInteger(value) || value < 0 || value >= 10 ** DIMENSIONS.length) return row;
  DIMENSIONS.forEach((dimension, i) => {
    const status = STATUS_OF_DIGIT[Math.floor(value / 10 ** i) % 10];
    if (status) row[dimension] = status;
  });
  return row;
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
  for (const s of responses.cells) {
    const host = hostOf(hosts, s.metric);
    const { resource } = s.metric;
    if (!RESOURCE_SET.has(resource)) continue;
    const row = decodeRow(Number(s.value[1]));
    if (Object.keys(row).length === 0) continue;
    host.cells[resource as Resource] = row;
    resources.add(resource);
  }
  for (const s of responses.findings) addFindingPart(findingParts, hostOf(hosts, s.metric).name, s);
  // `up` of a job without usewatch series is another exporter's (node_exporter): not a usewatch host.
  const jobs = new Set([...hosts.values()].map((h) => h.job));
  for (const s of responses.up) {
    if (!jobs.has(s.metric.job ?? '')) continue;
    const host = hostOf(hosts, s.metric);
    host.up = s.value[1] === '1';
    const { __name__, ...labels } = s.metric;
    host.labels = labels;
  }
  for (const host of hosts.values()) {
    host.findings = joinFindings(findingParts.get(host.name) ?? new Map());
    host.firing = host.findings.filter((f) => f.firing).length;
    host.worst = host.up === false ? 'down' : worstCell(host);
  }
  return { hosts: [...hosts.values()], resources: RESOURCES.filter((r) => resources.has(r)) };
}

function worstCell(host: FleetHost): FleetStatus {
  let worst: FleetStatus = 'ok';
  for (const row of Object.values(host.cells)) for (const s of Object.values(row)) worst = worse(worst, s);
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
