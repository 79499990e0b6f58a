import type { CellStatus, Frame } from '../../model/frame.js';
import type { FamilySpec } from './family.js';

/** USE cell status as a number: alert on `usewatch_use_status >= 1`. Gaps (not measurable) are not exported. */
export const STATUS_VALUE: Readonly<Record<Exclude<CellStatus, 'gap'>, number>> = {
  ok: 0,
  warning: 1,
  critical: 2,
  unknown: 3,
};

const PSI_RESOURCES = ['cpu', 'memory', 'io', 'irq'] as const;
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

export function usewatchFamilies(opts: {
  version: string;
  topProcesses: number;
  runtime: RuntimeCounters;
}): FamilySpec[] {
  const families: FamilySpec[] = [
    {
      name: 'usewatch_build_info',
      help: 'usewatch build information; the value is always 1.',
      type: 'gauge',
      frameless: true,
      read: (_f, emit) => emit({ version: opts.version }, 1),
    },
    {
      name: 'usewatch_use_status',
      help: 'USE matrix cell status: 0 ok, 1 warning, 2 critical, 3 unknown (metric missing).',
      type: 'gauge',
      read(f, emit) {
        // Indexed loops: see node.ts on for…of in code that runs once per scrape.
        for (let i = 0; i < f.use.length; i++) {
          const c = f.use[i];
          if (c.status !== 'gap')
            emit({ resource: c.resource, instance: c.instance, dimension: c.dimension }, STATUS_VALUE[c.status]);
        }
      },
    },
    {
      name: 'usewatch_use_value',
      help: 'Value of the metric that decided a USE cell, in that metric unit (ratios are 0-1).',
      type: 'gauge',
      read(f, emit) {
        for (let i = 0; i < f.use.length; i++) {
          const c = f.use[i];
          emit({ resource: c.resource, instance: c.instance, dimension: c.dimension }, c.value);
        }
      },
    },
    {
      name: 'usewatch_finding_active',
      help: 'Checklist findings being raised: 1 firing, 0 pending (breach seen, not yet sustained for the rule).',
      type: 'gauge',
      read(f, emit) {
        for (const x of f.findings) {
          if (x.state === 'resolved') continue;
          emit(
            { rule: x.rule, resource: x.resource, instance: x.instance, severity: x.severity },
            x.state === 'firing' ? 1 : 0,
          );
        }
      },
    },
    {
      name: 'usewatch_pressure_ratio',
      help: 'Pressure stall information averages as a ratio (0-1) by resource, kind (some/full) and window.',
      type: 'gauge',
      read(f, emit) {
        const psi = f.counters?.pressure;
        if (!psi) return;
        for (const resource of PSI_RESOURCES) {
          for (const kind of ['some', 'full'] as const) {
            const line = psi[resource]?.[kind];
            if (!line) continue;
            for (const [key, window] of PSI_WINDOWS) emit({ resource, kind, window }, line[key]);
          }
        }
      },
    },
    {
      name: 'usewatch_last_tick_timestamp_seconds',
      help: 'Unix time of the latest sample.',
      type: 'gauge',
      read: (f, emit) => emit(undefined, f.ts / 1000),
    },
    {
      name: 'usewatch_tick_duration_seconds',
      help: 'Wall time of the latest tick (collect, derive, evaluate).',
      type: 'gauge',
      read: (f, emit) => emit(undefined, msToSeconds(f.self.tickMs)),
    },
    {
      name: 'usewatch_tick_cpu_seconds',
      help: 'CPU time (user and system) of the latest tick.',
      type: 'gauge',
      read: (f, emit) => emit(undefined, msToSeconds(f.self.tickCpuMs)),
    },
    {
      name: 'usewatch_collector_duration_seconds',
      help: 'Time each collector took on the latest tick.',
      type: 'gauge',
      read(f, emit) {
        for (let i = 0; i < f.self.collectors.length; i++) {
          const c = f.self.collectors[i];
          emit({ collector: c.name }, msToSeconds(c.durationMs));
        }
      },
    },
    {
      name: 'usewatch_collector_success',
      help: 'Whether each collector read all its sources on the latest tick (1) or not (0).',
      type: 'gauge',
      read(f, emit) {
        for (let i = 0; i < f.self.collectors.length; i++) {
          const c = f.self.collectors[i];
          emit({ collector: c.name }, c.ok ? 1 : 0);
        }
      },
    },
    {
      name: 'usewatch_skipped_ticks_total',
      help: 'Ticks skipped because the previous one overran its interval.',
      type: 'counter',
      read: (f, emit) => emit(undefined, f.self.skippedTicks),
    },
    {
      name: 'usewatch_sources_not_ok',
      help: 'Sources (files) that could not be read on the latest tick, by status.',
      type: 'gauge',
      read(f, emit) {
        const counts = { absent: 0, denied: 0, failed: 0 };
        for (const s of f.sources) if (s.status !== 'ok') counts[s.status]++;
        for (const [status, n] of Object.entries(counts)) emit({ status }, n);
      },
    },
  ];

  const { feed, http, otlp, recorder, logDropped } = opts.runtime;
  if (logDropped) {
    families.push({
      name: 'usewatch_log_dropped_total',
      help: 'Log lines dropped because stdout was closed or failed (a pipe whose reader went away).',
      type: 'counter',
      frameless: true,
      read: (_f, emit) => emit(undefined, logDropped()),
    });
  }
  if (feed) {
    families.push(
      {
        name: 'usewatch_feed_clients',
        help: 'WebSocket feed clients connected.',
        type: 'gauge',
        frameless: true,
        read: (_f, emit) => emit(undefined, feed().clients),
      },
      {
        name: 'usewatch_feed_dropped_frames_total',
        help: 'Frames not sent to slow feed clients.',
        type: 'counter',
        frameless: true,
        read: (_f, emit) => emit(undefined, feed().droppedFrames),
      },
    );
  }
  if (http) {
    families.push(
      {
        name: 'usewatch_http_rejected_connections_total',
        help: 'HTTP connections closed or refused at the connection ceiling to admit new ones.',
        type: 'counter',
        frameless: true,
        read: (_f, emit) => emit(undefined, http().rejectedConnections),
      },
      {
        name: 'usewatch_http_client_errors_total',
        help: 'Malformed requests, oversized headers, requests that timed out and connections cut for pipelining.',
        type: 'counter',
        frameless: true,
        read: (_f, emit) => emit(undefined, http().clientErrors),
      },
      {
        name: 'usewatch_http_unauthorized_requests_total',
        help: 'Requests refused for a missing or wrong bearer token.',
        type: 'counter',
        frameless: true,
        read: (_f, emit) => emit(undefined, http().unauthorized),
      },
    );
  }
  if (otlp) {
    const counter = (name: string, help: string, key: 'exports' | 'failures' | 'dropped'): FamilySpec => ({
      name,
      help,
      type: 'counter',
      frameless: true,
      read: (_f, emit) => emit(undefined, otlp()[key]),
    });
    families.push(
      counter('usewatch_otlp_exports_total', 'OTLP exports the collector accepted.', 'exports'),
      counter('usewatch_otlp_failures_total', 'OTLP exports that failed after retries.', 'failures'),
      counter('usewatch_otlp_dropped_total', 'OTLP collections dropped while an export was in flight.', 'dropped'),
    );
  }
  if (recorder) {
    families.push(
      {
        name: 'usewatch_recorder_frames_total',
        help: 'Frames written to the recording.',
        type: 'counter',
        frameless: true,
        read: (_f, emit) => emit(undefined, recorder().framesWritten),
      },
      {
        name: 'usewatch_recorder_dropped_frames_total',
        help: 'Frames not recorded (queue full or recording paused).',
        type: 'counter',
        frameless: true,
        read: (_f, emit) => emit(undefined, recorder().dropped),
      },
      {
        name: 'usewatch_recorder_paused',
        help: '1 while recording is paused by a write problem (disk full, unwritable directory).',
        type: 'gauge',
        frameless: true,
        read: (_f, emit) => emit(undefined, recorder().paused ? 1 : 0),
      },
    );
  }
  if (opts.topProcesses > 0) families.push(...topProcessFamilies(opts.topProcesses));
  return families;
}

/** Opt-in, capped per-process series: the top N by CPU and the top N by memory of the latest frame. */
function topProcessFamilies(n: number): FamilySpec[] {
  const top = (f: Frame, key: 'cpu' | 'rssBytes') => [...f.processes].sort((a, b) => b[key] - a[key]).slice(0, n);
  return [
    {
      name: 'usewatch_process_cpu_ratio',
      help: `CPU used by the top ${n} processes by CPU, as a share of one CPU.`,
      type: 'gauge',
      read(f, emit) {
        for (const p of top(f, 'cpu')) emit({ pid: String(p.pid), name: p.name }, p.cpu);
      },
    },
    {
      name: 'usewatch_process_resident_memory_bytes',
      help: `Resident memory of the top ${n} processes by resident memory.`,
      type: 'gauge',
      read(f, emit) {
        for (const p of top(f, 'rssBytes')) emit({ pid: String(p.pid), name: p.name }, p.rssBytes);
      },
    },
  ];
}

/** Frame durations are ms with µs precision; dividing by 1000 would print binary noise (0.000069000000001). */
function msToSeconds(ms: number): number {
  return Math.round(ms * 1000) / 1e6;
}
