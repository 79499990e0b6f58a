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
  /** Sampled now, or re-evaluated from a recording (which decides the status differently). */
  mode: 'live' | 'replay';
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

/**
 * The check's status. Live: the worst state among the findings still firing at the end of the
 * window. Replayed: the worst severity any finding reached during the recording, since "did anything
 * fire last night?" matters more than what was still firing when the recording ends.
 */
export function runStatus(run: Pick<CheckRun, 'findings' | 'events' | 'mode'>): CheckStatus {
  if (run.mode === 'replay') return worstRaisedStatus(run);
  let status: CheckStatus = 'OK';
  for (const f of run.findings) {
    if (f.state !== 'firing') continue;
    if (f.severity === 'critical') return 'CRITICAL';
    status = 'WARNING';
  }
  return status;
}

function worstRaisedStatus(run: Pick<CheckRun, 'events'>): CheckStatus {
  let status: CheckStatus = 'OK';
  for (const e of run.events) {
    if (e.kind !== 'raised' && e.kind !== 'escalated') continue;
    if (e.severity === 'critical') return 'CRITICAL';
    status = 'WARNING';
  }
  return status;
}

const RATE_FIELDS = ['cpu', 'readBps', 'writeBps', 'runDelay', 'majorFaultsPs'] as const;

/**
 * Folds frames into a CheckRun one at a time, so that a long recording (a day of frames) is
 * summarised without holding every frame in memory.
 */
export class RunAccumulator {
  private first: Frame | undefined;
  private lastFrame: Frame | undefined;
  private count = 0;
  private rated = 0;
  private readonly sums: Record<string, Record<string, number>> = {};
  private readonly counts: Record<string, Record<string, number>> = {};
  private readonly sources = new Map<string, SourceReport>();
  private readonly events: FindingEvent[] = [];
  private readonly kernelEvents: KernelEvent[] = [];
  private readonly processes = new Map<string, { latest: ProcessEntry; sums: Record<string, number> }>();

  add(frame: Frame): void {
    this.first ??= frame;
    this.lastFrame = frame;
    this.count++;
    for (const s of frame.sources) this.sources.set(s.source, s);
    this.events.push(...frame.events);
    this.kernelEvents.push(...frame.kernelEvents);
    // Rates exist from the second frame on: only frames with an interval enter the means.
    if (frame.intervalMs <= 0) return;
    this.rated++;
    this.addMetrics(frame.metrics);
    this.addProcesses(frame.processes);
  }

  get frames(): number {
    return this.count;
  }

  finish(
    checklist: Checklist,
    window: { windowMs: number; intervalMs: number },
    mode: CheckRun['mode'] = 'live',
  ): CheckRun {
    const first = this.first;
    const lastFrame = this.lastFrame;
    if (first === undefined || lastFrame === undefined) throw new Error('no frame was collected');
    const mean: MetricValues = {};
    for (const name in this.sums) {
      mean[name] = {};
      for (const inst in this.sums[name]) mean[name][inst] = this.sums[name][inst] / this.counts[name][inst];
    }
    return {
      host: lastFrame.host,
      startedAt: first.ts,
      endedAt: lastFrame.ts,
      windowMs: window.windowMs,
      intervalMs: window.intervalMs,
      frames: this.count,
      mode,
      checklist,
      use: lastFrame.use,
      findings: lastFrame.findings,
      events: this.events,
      kernelEvents: this.kernelEvents,
      sources: [...this.sources.values()],
      mean,
      last: lastFrame.metrics,
      processes: this.averagedProcesses(),
    };
  }

  private addMetrics(metrics: MetricValues): void {
    for (const name in metrics) {
      this.sums[name] ??= {};
      this.counts[name] ??= {};
      const s = this.sums[name];
      const c = this.counts[name];
      const byInstance = metrics[name];
      for (const inst in byInstance) {
        s[inst] = (s[inst] ?? 0) + byInstance[inst];
        c[inst] = (c[inst] ?? 0) + 1;
      }
    }
  }

  /** One entry per process (pid and name): rates summed for averaging, sizes from the latest frame. */
  private addProcesses(processes: readonly ProcessEntry[]): void {
    for (const p of processes) {
      const key = `${p.pid}\0${p.name}`;
      let acc = this.processes.get(key);
      if (acc === undefined) {
        acc = { latest: p, sums: {} };
        this.processes.set(key, acc);
      }
      acc.latest = p;
      for (const field of RATE_FIELDS) {
        const v = p[field];
        if (v !== undefined) acc.sums[field] = (acc.sums[field] ?? 0) + v;
      }
    }
  }

  private averagedProcesses(): ProcessEntry[] {
    const n = Math.max(1, this.rated);
    return [...this.processes.values()].map(({ latest, sums }) => {
      const out: ProcessEntry = { ...latest, cpu: (sums.cpu ?? 0) / n };
      for (const field of RATE_FIELDS) if (field !== 'cpu' && sums[field] !== undefined) out[field] = sums[field] / n;
      return out;
    });
  }
}

/** Folds the frames of a check window into a CheckRun. */
export function summarizeRun(
  frames: readonly Frame[],
  checklist: Checklist,
  window: { windowMs: number; intervalMs: number },
): CheckRun {
  const acc = new RunAccumulator();
  for (const f of frames) acc.add(f);
  return acc.finish(checklist, window);
}
