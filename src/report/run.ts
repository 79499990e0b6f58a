import type { SourceReport } from '../../collectors/types.js';
import type { Checklist } from '../checklist/model.js';
import type {
  Finding,
  FindingEvent,
  Frame,
  HostInfo,
  KernelEvent,
  MetricValues,
  ProcessEntry,
  UseCell,
} from '../model/frame.js';

export type CheckStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** Nagios plugin exit codes. */
export const EXIT_CODES: Record<CheckStatus, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** What one `usewatch check` saw over its window, ready for the text, JSON and Nagios views. */
export interface CheckRun {
  host: HostInfo;
  startedAt: number;
  endedAt: number;
  /** The window asked for and the nominal interval. */
  windowMs: number;
  intervalMs: number;
  /** Frames taken, the first one (no rates) included. */
  frames: number;
  checklist: Checklist;
  /** The matrix and findings at the end of the window. */
  use: UseCell[];
  findings: Finding[];
  /** Every lifecycle event of the window, in order. */
  events: FindingEvent[];
  kernelEvents: KernelEvent[];
  /** Sources that were not ok at any time in the window, once each (the latest report wins). */
  sources: SourceReport[];
  /** Mean of each metric over the frames that had it (rates exist from the second frame on). */
  mean: MetricValues;
  /** The last value of each metric (gauges such as load averages and memory sizes). */
  last: MetricValues;
  /** Processes seen in the window; cpu, I/O and fault rates averaged over the frames with rates. */
  processes: ProcessEntry[];
}

/** Worst state among the findings still firing at the end of the window. */
export function runStatus(run: Pick<CheckRun, 'findings'>): CheckStatus {
  let status: CheckStatus = 'OK';
  for (const f of run.findings) {
    if (f.state !== 'firing') continue;
    if (f.severity === 'critical') return 'CRITICAL';
    status = 'WARNING';
  }
  return status;
}

function meanOf(frames: readonly Frame[]): MetricValues {
  const sum: Record<string, Record<string, number>> = {};
  const count: Record<string, Record<string, number>> = {};
  for (const f of frames) {
    for (const name in f.metrics) {
      sum[name] ??= {};
      count[name] ??= {};
      const s = sum[name];
      const c = count[name];
      const byInstance = f.metrics[name];
      for (const inst in byInstance) {
        s[inst] = (s[inst] ?? 0) + byInstance[inst];
        c[inst] = (c[inst] ?? 0) + 1;
      }
    }
  }
  for (const name in sum) for (const inst in sum[name]) sum[name][inst] /= count[name][inst];
  return sum;
}

const RATE_FIELDS = ['cpu', 'readBps', 'writeBps', 'runDelay', 'majorFaultsPs'] as const;

/** One entry per process (pid and name), rates averaged over the frames with rates, sizes from the latest. */
function processesOf(frames: readonly Frame[]): ProcessEntry[] {
  const rated = frames.filter((f) => f.intervalMs > 0);
  const byKey = new Map<string, { latest: ProcessEntry; sums: Record<string, number> }>();
  for (const f of rated) {
    for (const p of f.processes) {
      const key = `${p.pid}\0${p.name}`;
      let acc = byKey.get(key);
      if (acc === undefined) {
        acc = { latest: p, sums: {} };
        byKey.set(key, acc);
      }
      acc.latest = p;
      for (const field of RATE_FIELDS) {
        const v = p[field];
        if (v !== undefined) acc.sums[field] = (acc.sums[field] ?? 0) + v;
      }
    }
  }
  const n = Math.max(1, rated.length);
  return [...byKey.values()].map(({ latest, sums }) => {
    const out: ProcessEntry = { ...latest, cpu: (sums.cpu ?? 0) / n };
    for (const field of RATE_FIELDS) if (field !== 'cpu' && sums[field] !== undefined) out[field] = sums[field] / n;
    return out;
  });
}

/** Folds the frames of a check window into a CheckRun. */
export function summarizeRun(
  frames: readonly Frame[],
  checklist: Checklist,
  window: { windowMs: number; intervalMs: number },
): CheckRun {
  if (frames.length === 0) throw new Error('no frame was collected');
  const first = frames[0];
  const lastFrame = frames[frames.length - 1];
  const sources = new Map<string, SourceReport>();
  for (const f of frames) for (const s of f.sources) sources.set(s.source, s);
  return {
    host: lastFrame.host,
    startedAt: first.ts,
    endedAt: lastFrame.ts,
    windowMs: window.windowMs,
    intervalMs: window.intervalMs,
    frames: frames.length,
    checklist,
    use: lastFrame.use,
    findings: lastFrame.findings,
    events: frames.flatMap((f) => f.events),
    kernelEvents: frames.flatMap((f) => f.kernelEvents),
    sources: [...sources.values()],
    mean: meanOf(frames.filter((f) => f.intervalMs > 0)),
    last: lastFrame.metrics,
    processes: processesOf(frames),
  };
}
