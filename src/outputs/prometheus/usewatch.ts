import type { CellStatus, Finding, Frame, Severity, UseCell } from '../../model/frame.js';
import { sanitize } from '../../text/sanitize.js';
import { processListText, victimsText } from '../../use/finding-text.js';
import { formatValue } from '../../use/units.js';
import type { Emit, FamilySpec, MetricType } from './family.js';

/** USE cell status as a number: alert on `usewatch_use_status >= 1`. Gaps (not measurable) are not exported. */
export const STATUS_VALUE: Readonly<Record<Exclude<CellStatus, 'gap'>, number>> = {
  ok: 0,
  warning: 1,
  critical: 2,
  unknown: 3,
};

const PSI_RESOURCES = ['cpu', 'memory', 'io', 'irq'] as const;
const PSI_KINDS = ['some', 'full'] as const;
const PSI_WINDOWS = [
  ['avg10', '10s'],
  ['avg60', '60s'],
  ['avg300', '300s'],
] as const;

/** Counters from outside the frame: the HTTP server and the feed keep their own. */
export interface RuntimeCounters {
  feed?: () => { clients: number; droppedFrames: number };
  http?: () => { rejectedConnections: number; clientErrors: number; unauthorized: number };
  otlp?: () => { exports: number; failures: number; dropped: number };
  recorder?: () => { framesWritten: number; bytesWritten: number; dropped: number; paused: boolean };
  /** Log lines dropped because stdout was closed or failed. */
  logDropped?: () => number;
}

/** usewatch's own families, in exposition order. */
export function usewatchFamilies(opts: {
  version: string;
  topProcesses: number;
  runtime: RuntimeCounters;
}): FamilySpec[] {
  return [
    {
      name: 'usewatch_build_info',
      help: 'usewatch build information; the value is always 1.',
      type: 'gauge',
      labels: ['version'],
      frameless: true,
      read: (_f, emit) => emit(1, opts.version),
    },
    ...useCellFamilies,
    ...findingFamilies,
    pressureFamily,
    ...tickFamilies,
    ...runtimeFamilies(opts.runtime),
    ...(opts.topProcesses > 0 ? topProcessFamilies(opts.topProcesses) : []),
  ];
}

/**
 * The label a cell's or a finding's instance (a device, an interface, a mount, a cgroup; none for
 * host-wide rules) goes under. Not `instance`: Prometheus sets that to the scraped target, and a
 * label of the same name in the exposition would arrive renamed as `exported_instance`.
 */
const INSTANCE_LABEL = 'usewatch_instance';

const CELL_LABELS = ['resource', INSTANCE_LABEL, 'dimension'];

function emitCell(emit: Emit, c: UseCell, value: number | undefined): void {
  emit(value, c.resource, c.instance, c.dimension);
}

/*
 * Indexed loops in the read functions: they run once per scrape, where V8 mostly leaves them
 * unoptimised and for…of allocates an iterator result per element.
 */

const useCellFamilies: readonly FamilySpec[] = [
  {
    name: 'usewatch_use_status',
    help: 'USE matrix cell status: 0 ok, 1 warning, 2 critical, 3 unknown (metric missing).',
    type: 'gauge',
    labels: CELL_LABELS,
    read(f, emit) {
      for (let i = 0; i < f.use.length; i++) {
        const c = f.use[i];
        if (c.status !== 'gap') emitCell(emit, c, STATUS_VALUE[c.status]);
      }
    },
  },
  {
    name: 'usewatch_use_value',
    help: 'Value of the metric that decided a USE cell, in that metric unit (ratios are 0-1).',
    type: 'gauge',
    labels: CELL_LABELS,
    read(f, emit) {
      for (let i = 0; i < f.use.length; i++) emitCell(emit, f.use[i], f.use[i].value);
    },
  },
];

/** Severity as a number, in its own series so that a finding keeps one identity when it escalates. */
const SEVERITY_VALUE: Readonly<Record<Severity, number>> = { warning: 1, critical: 2 };

/** Longest text of an info label: a culprit list or next commands, cut with an ellipsis. */
const INFO_TEXT_MAX = 240;
/** Culprit processes named in the info series, as many as the views show. */
const CULPRITS_NAMED = 3;
const VALUE_FORMAT = { value: formatValue };

/** The identity every finding series shares: no severity, no state, nothing that changes while it lives. */
const FINDING_LABELS = ['rule', 'resource', 'dimension', INSTANCE_LABEL];

/** Text for a label value: inert (no control characters or escape sequences) and bounded in length. */
function labelText(text: string): string {
  const safe = sanitize(text);
  // No more UTF-16 units than the limit is no more code points: nothing to cut, nothing to split.
  if (safe.length <= INFO_TEXT_MAX) return safe;
  const chars = Array.from(safe);
  return chars.length <= INFO_TEXT_MAX ? safe : `${chars.slice(0, INFO_TEXT_MAX - 1).join('')}…`;
}

/** One family over the findings being raised (pending and firing); resolved ones are left out. */
function findingSeries(name: string, help: string, value: (x: Finding) => number): FamilySpec {
  return {
    name,
    help,
    type: 'gauge',
    labels: FINDING_LABELS,
    read(f, emit) {
      for (let i = 0; i < f.findings.length; i++) {
        const x = f.findings[i];
        if (x.state !== 'resolved') emit(value(x), x.rule, x.resource, x.dimension, x.instance);
      }
    },
  };
}

/**
 * The texts alert annotations join on (`query` in a template, or `group_left`): the culprits taken
 * when the finding fired and the rule's next commands. Both stay fixed while the finding fires, so
 * the series keeps one identity; figures that move every tick are series values, not labels. An OOM
 * finding's victims, oldest first, change the text only until the first three are named.
 */
function infoTexts(x: Finding): [culprit: string, next: string] {
  const culprits = x.state === 'firing' ? x.evidence.culprits?.processes : undefined;
  let culprit = culprits === undefined ? '' : processListText(x, culprits, CULPRITS_NAMED, VALUE_FORMAT);
  // An OOM kill often leaves no process to rank: the victims the kernel log names are the culprits.
  if (culprit === '' && x.state === 'firing') culprit = victimsText(x.evidence.victims, CULPRITS_NAMED, false);
  return [labelText(culprit), labelText(x.next.join('; '))];
}

/** Series of the findings being raised, made for alerting rules (docs/agent.md, docs/fleet.md). */
const findingFamilies: readonly FamilySpec[] = [
  findingSeries(
    'usewatch_finding_active',
    'Checklist findings being raised: 1 firing, 0 pending (breach seen, not yet sustained for the rule).',
    (x) => (x.state === 'firing' ? 1 : 0),
  ),
  findingSeries(
    'usewatch_finding_severity',
    'Severity of each finding being raised: 1 warning, 2 critical.',
    (x) => SEVERITY_VALUE[x.severity],
  ),
  findingSeries(
    'usewatch_finding_value',
    "Latest value of each finding's metric, in the metric's base unit (ratios are 0-1).",
    (x) => x.evidence.value,
  ),
  findingSeries(
    'usewatch_finding_threshold',
    "Threshold of each finding's current severity, in the metric's base unit.",
    (x) => x.evidence.threshold,
  ),
  {
    name: 'usewatch_finding_info',
    help: 'Texts of each finding being raised: culprit processes when it fired and next commands; the value is always 1.',
    type: 'gauge',
    labels: [...FINDING_LABELS, 'culprit', 'next'],
    read(f, emit) {
      for (let i = 0; i < f.findings.length; i++) {
        const x = f.findings[i];
        if (x.state !== 'resolved') emit(1, x.rule, x.resource, x.dimension, x.instance, ...infoTexts(x));
      }
    },
  },
];

const pressureFamily: FamilySpec = {
  name: 'usewatch_pressure_ratio',
  help: 'Pressure stall information averages as a ratio (0-1) by resource, kind (some/full) and window.',
  type: 'gauge',
  labels: ['resource', 'kind', 'window'],
  read(f, emit) {
    const psi = f.counters?.pressure;
    if (!psi) return;
    for (let r = 0; r < PSI_RESOURCES.length; r++) {
      for (let k = 0; k < PSI_KINDS.length; k++) {
        const line = psi[PSI_RESOURCES[r]]?.[PSI_KINDS[k]];
        if (!line) continue;
        for (let w = 0; w < PSI_WINDOWS.length; w++) {
          emit(line[PSI_WINDOWS[w][0]], PSI_RESOURCES[r], PSI_KINDS[k], PSI_WINDOWS[w][1]);
        }
      }
    }
  },
};

/** A family of one unlabelled sample taken from the frame. */
function frameValue(name: string, help: string, type: MetricType, value: (f: Frame) => number): FamilySpec {
  return { name, help, type, read: (f, emit) => emit(value(f)) };
}

const COLLECTOR_LABELS = ['collector'];

/** The agent's own work on the latest tick, as the frame reports it. */
const tickFamilies: readonly FamilySpec[] = [
  frameValue('usewatch_last_tick_timestamp_seconds', 'Unix time of the latest sample.', 'gauge', (f) => f.ts / 1000),
  frameValue(
    'usewatch_tick_duration_seconds',
    'Wall time of the latest tick (collect, derive, evaluate).',
    'gauge',
    (f) => msToSeconds(f.self.tickMs),
  ),
  frameValue('usewatch_tick_cpu_seconds', 'CPU time (user and system) of the latest tick.', 'gauge', (f) =>
    msToSeconds(f.self.tickCpuMs),
  ),
  {
    name: 'usewatch_collector_duration_seconds',
    help: 'Time each collector took on the latest tick.',
    type: 'gauge',
    labels: COLLECTOR_LABELS,
    read(f, emit) {
      const cs = f.self.collectors;
      for (let i = 0; i < cs.length; i++) emit(msToSeconds(cs[i].durationMs), cs[i].name);
    },
  },
  {
    name: 'usewatch_collector_success',
    help: 'Whether each collector read all its sources on the latest tick (1) or not (0).',
    type: 'gauge',
    labels: COLLECTOR_LABELS,
    read(f, emit) {
      const cs = f.self.collectors;
      for (let i = 0; i < cs.length; i++) emit(cs[i].ok ? 1 : 0, cs[i].name);
    },
  },
  frameValue(
    'usewatch_skipped_ticks_total',
    'Ticks skipped because the previous one overran its interval.',
    'counter',
    (f) => f.self.skippedTicks,
  ),
  {
    name: 'usewatch_sources_not_ok',
    help: 'Sources (files) that could not be read on the latest tick, by status.',
    type: 'gauge',
    labels: ['status'],
    read(f, emit) {
      const counts = { absent: 0, denied: 0, failed: 0 };
      for (let i = 0; i < f.sources.length; i++) {
        const status = f.sources[i].status;
        if (status !== 'ok') counts[status]++;
      }
      emit(counts.absent, 'absent');
      emit(counts.denied, 'denied');
      emit(counts.failed, 'failed');
    },
  },
];

/** One series of a runtime counter source: name, help, type and its figure in the source's stats. */
type RuntimeSeries<S> = readonly [name: string, help: string, type: MetricType, figure: (stats: S) => number];

/**
 * Unlabelled families from a counter source kept outside the frame, read even before the first
 * tick; none when the source is absent (its output is off).
 */
function fromSource<S>(source: (() => S) | undefined, series: readonly RuntimeSeries<S>[]): FamilySpec[] {
  if (source === undefined) return [];
  return series.map(([name, help, type, figure]) => ({
    name,
    help,
    type,
    frameless: true,
    read: (_f, emit) => emit(figure(source())),
  }));
}

/** The runtime counters the agent was given, as families (a data table). */
function runtimeFamilies(r: RuntimeCounters): FamilySpec[] {
  return [
    ...fromSource(r.logDropped, [
      [
        'usewatch_log_dropped_total',
        'Log lines dropped because stdout was closed or failed (a pipe whose reader went away).',
        'counter',
        (n) => n,
      ],
    ]),
    ...fromSource(r.feed, [
      ['usewatch_feed_clients', 'WebSocket feed clients connected.', 'gauge', (s) => s.clients],
      [
        'usewatch_feed_dropped_frames_total',
        'Frames not sent to slow feed clients.',
        'counter',
        (s) => s.droppedFrames,
      ],
    ]),
    ...fromSource(r.http, [
      [
        'usewatch_http_rejected_connections_total',
        'HTTP connections closed or refused at the connection ceiling to admit new ones.',
        'counter',
        (s) => s.rejectedConnections,
      ],
      [
        'usewatch_http_client_errors_total',
        'Malformed requests, oversized headers, requests that timed out and connections cut for pipelining.',
        'counter',
        (s) => s.clientErrors,
      ],
      [
        'usewatch_http_unauthorized_requests_total',
        'Requests refused for a missing or wrong bearer token.',
        'counter',
        (s) => s.unauthorized,
      ],
    ]),
    ...fromSource(r.otlp, [
      ['usewatch_otlp_exports_total', 'OTLP exports the collector accepted.', 'counter', (s) => s.exports],
      ['usewatch_otlp_failures_total', 'OTLP exports that failed after retries.', 'counter', (s) => s.failures],
      [
        'usewatch_otlp_dropped_total',
        'OTLP collections dropped while an export was in flight.',
        'counter',
        (s) => s.dropped,
      ],
    ]),
    ...fromSource(r.recorder, [
      ['usewatch_recorder_frames_total', 'Frames written to the recording.', 'counter', (s) => s.framesWritten],
      [
        'usewatch_recorder_dropped_frames_total',
        'Frames not recorded (queue full or recording paused).',
        'counter',
        (s) => s.dropped,
      ],
      [
        'usewatch_recorder_paused',
        '1 while recording is paused by a write problem (disk full, unwritable directory).',
        'gauge',
        (s) => (s.paused ? 1 : 0),
      ],
    ]),
  ];
}

/** Opt-in, capped per-process series: the top N by CPU and the top N by memory of the latest frame. */
function topProcessFamilies(n: number): FamilySpec[] {
  const topBy = (name: string, help: string, key: 'cpu' | 'rssBytes'): FamilySpec => ({
    name,
    help,
    type: 'gauge',
    labels: ['pid', 'name'],
    read(f, emit) {
      const top = [...f.processes].sort((a, b) => b[key] - a[key]).slice(0, n);
      for (const p of top) emit(p[key], String(p.pid), p.name);
    },
  });
  return [
    topBy('usewatch_process_cpu_ratio', `CPU used by the top ${n} processes by CPU, as a share of one CPU.`, 'cpu'),
    topBy(
      'usewatch_process_resident_memory_bytes',
      `Resident memory of the top ${n} processes by resident memory.`,
      'rssBytes',
    ),
  ];
}

/** Frame durations are ms with µs precision; dividing by 1000 would print binary noise (0.000069000000001). */
function msToSeconds(ms: number): number {
  return Math.round(ms * 1000) / 1e6;
}
