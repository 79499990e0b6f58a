import type { MetricName } from '../catalog/index.js';
import type { CgroupCulprit, CgroupEntry } from './cgroup.js';
import type { HostCounters } from './counters.js';
import type { SourceReport } from './source-report.js';
import { toWire } from './wire.js';

/**
 * The unit that flows from the pipeline to every view: TUI, WebSocket feed, Prometheus, OTLP,
 * recorder. Serialised as JSON (without `counters`), versioned by `schema`. Documented in docs/feed.md.
 */
export const FRAME_SCHEMA = 2;
/** Schema 1 sent every list as objects; schema 2 may send them as tables (see wire.ts). Both are read. */
export const OLDEST_FRAME_SCHEMA = 1;

export type Resource = 'cpu' | 'memory' | 'disk' | 'network' | 'filesystem' | 'fd' | 'tasks' | 'tcp' | 'conntrack';
export const RESOURCES: readonly Resource[] = [
  'cpu',
  'memory',
  'disk',
  'network',
  'filesystem',
  'fd',
  'tasks',
  'tcp',
  'conntrack',
];

export type Dimension = 'utilization' | 'saturation' | 'errors';
export const DIMENSIONS: readonly Dimension[] = ['utilization', 'saturation', 'errors'];

/** Metric name → instance → value. Host-wide metrics use the instance "" (empty string). */
export type MetricValues = Record<string, Record<string, number>>;

/**
 * The instances of one metric, by its catalog name: code that names a metric goes through here, so a
 * misspelt name fails `tsc`. The map itself stays keyed by string, since frames also come from the
 * wire and recordings.
 */
export function metricInstances(metrics: MetricValues, name: MetricName): Record<string, number> | undefined {
  return metrics[name];
}

export type CellStatus = 'ok' | 'warning' | 'critical' | 'unknown' | 'gap';

export interface UseCell {
  resource: Resource;
  instance: string;
  dimension: Dimension;
  status: CellStatus;
  /** The metric that decided the status (the worst rule's), with its value and unit. */
  metric?: string;
  value?: number;
  unit?: string;
  /** For a gap: why the cell cannot be measured from /proc and /sys; for unknown: what is missing. */
  reason?: string;
}

export type Severity = 'warning' | 'critical';
export type FindingState = 'pending' | 'firing' | 'resolved';

/** A process as shown in evidence and the process table; names are already sanitised. */
export interface ProcessEntry {
  pid: number;
  /** Sanitised comm (no control characters or escape sequences). */
  name: string;
  /** Sanitised, shortened command line; empty for kernel threads. */
  cmd: string;
  user: string;
  /** Scheduler state letter from /proc/<pid>/stat: R S D Z T I … */
  state: string;
  /** CPU time used in the interval as a share of one CPU (1 = one full core). */
  cpu: number;
  rssBytes: number;
  /** RSS growth in bytes/s over the recent window; undefined until there is history. */
  rssGrowthBps?: number;
  readBps?: number;
  writeBps?: number;
  /** Mean number of this process's threads waiting for a CPU over the interval (Δrun_delay/Δt). */
  runDelay?: number;
  majorFaultsPs?: number;
  fds?: number;
  fdLimit?: number;
  threads: number;
  /** The `id` of the workload cgroup the process runs in (see `Frame.cgroups`), when it is in one. */
  cgroup?: string;
}

export interface Evidence {
  /** The value on the latest sample. */
  value: number;
  /** The threshold of the finding's current severity. */
  threshold: number;
  /** The most extreme value of the episode: highest for `above` rules, lowest for `below` (absent in older frames). */
  peak?: number;
  /** The metric's unit (catalog), so that every view formats the figures alike. */
  unit?: string;
  /** The window over which the breach was sustained, in ms. */
  windowMs: number;
  /** When the finding fired and its value on that sample. */
  firedAt?: number;
  firedValue?: number;
  /** Firing, and back at the clear level since then: it resolves once that lasts `clearForMs`. */
  clearingSince?: number;
  clearForMs?: number;
  /** The drilldown measure `processes` and `culprits` are ranked by. */
  rankedBy?: string;
  /** Top processes for the rule's drilldown measure on the latest sample. */
  processes: ProcessEntry[];
  /** The top processes on the sample the finding fired, kept for its lifetime. */
  culprits?: { ts: number; processes: ProcessEntry[] };
  /** Host-wide findings: the workload cgroups ranked by the same measure, on the latest sample. */
  cgroups?: CgroupCulprit[];
  /**
   * OOM findings: the processes the kernel log says the OOM killer killed since the episode began
   * (for a cgroup finding, those that ran in that cgroup or below it), oldest first. A victim is
   * dead by the time the finding fires, so it is in no process list.
   */
  victims?: OomVictim[];
}

/** A process the OOM killer killed, from the kernel log. */
export interface OomVictim {
  pid: number;
  /** Its command name (comm), sanitised. */
  name: string;
  /** Epoch ms of the kernel record. */
  ts: number;
  /** Its resident memory (anon + file + shmem) when killed, when the kernel logged it. */
  rssBytes?: number;
}

export interface Finding {
  /** `${rule}@${instance}`: stable while the finding lives. */
  id: string;
  rule: string;
  resource: Resource;
  dimension: Dimension;
  instance: string;
  severity: Severity;
  state: FindingState;
  summary: string;
  /** Epoch ms when the breach was first seen (pending) for this episode. */
  since: number;
  /** Epoch ms when it resolved, for resolved findings kept for display. */
  resolvedAt?: number;
  evidence: Evidence;
  next: string[];
}

export type FindingEventKind = 'raised' | 'escalated' | 'de-escalated' | 'resolved';

export interface FindingEvent {
  ts: number;
  kind: FindingEventKind;
  findingId: string;
  rule: string;
  instance: string;
  severity: Severity;
  value: number;
  summary: string;
}

/** The known error patterns of the kernel log (collectors/kmsg.ts classifies records into them). */
export const KERNEL_EVENT_KINDS = [
  'oom',
  'alloc_failure',
  'io_error',
  'mce',
  'fs_error',
  'file_max',
  'fork_rejected',
  'conntrack_full',
  'syn_flood',
] as const;
export type KernelEventKind = (typeof KERNEL_EVENT_KINDS)[number];

export interface KernelEvent {
  /** Epoch ms, from the record's boot-relative timestamp. */
  ts: number;
  /** Which resource and cell it speaks to, e.g. memory/errors for an OOM kill. */
  resource: Resource;
  kind: KernelEventKind;
  /** The record's text, sanitised. */
  text: string;
}

export interface HostInfo {
  hostname: string;
  kernel: string;
  os?: string;
  cpuModel?: string;
  /** Online CPUs seen in /proc/stat. */
  cpus: number;
  uptimeSeconds?: number;
  agentVersion: string;
}

export interface CollectorStat {
  name: string;
  durationMs: number;
  ok: boolean;
}

export interface SelfStats {
  /** Wall time of the whole tick (collect + derive + evaluate). */
  tickMs: number;
  /** CPU time (user+system) of the tick. */
  tickCpuMs: number;
  collectors: CollectorStat[];
  skippedTicks: number;
  rssBytes: number;
}

export interface Frame {
  schema: typeof FRAME_SCHEMA;
  seq: number;
  /** Epoch ms at which the sample was taken. */
  ts: number;
  /** Measured interval since the previous sample (0 on the first frame, which has no rates). */
  intervalMs: number;
  host: HostInfo;
  metrics: MetricValues;
  use: UseCell[];
  /** Active findings (pending and firing) plus recently resolved ones. */
  findings: Finding[];
  /** Lifecycle events raised on this tick. */
  events: FindingEvent[];
  /** Union of the top processes by each measure. */
  processes: ProcessEntry[];
  /** Kernel log records matching known error patterns (OOM, I/O error, MCE…) first seen on this tick. */
  kernelEvents: KernelEvent[];
  /** Sources that were not ok on this tick (absent, denied, failed). */
  sources: SourceReport[];
  /** The workload cgroups carried on this tick (absent in frames from before cgroups were read). */
  cgroups?: CgroupEntry[];
  self: SelfStats;
  /**
   * In-process only: the host's cumulative counters of this tick, for the outputs that export
   * counters (Prometheus, OTLP). Absent on frames read from a feed or a recording; never serialised
   * (see serializeFrame()).
   */
  counters?: HostCounters;
}

const serialized = new WeakMap<Frame, string>();

/**
 * JSON of a frame as sent on the feed and written by the recorder: lists as tables, no in-process
 * fields. Frames are immutable once published, so the text is made once and shared by every output.
 */
export function serializeFrame(frame: Frame): string {
  let json = serialized.get(frame);
  if (json === undefined) {
    json = JSON.stringify(toWire(frame));
    serialized.set(frame, json);
  }
  return json;
}

/** JSON of a frame with every list as objects, for people and jq (`usewatch replay --format ndjson`). */
export function frameAsObjectsJson(frame: Frame): string {
  const { counters: _counters, ...plain } = frame;
  return JSON.stringify(plain);
}

/** Anything that yields frames: the live pipeline, a remote feed, a recording. */
export type FrameSource = AsyncIterable<Frame>;
