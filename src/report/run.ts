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
  Severity,
  UseCell,
} from '../model/frame.js';
import { compareFindings } from '../use/evaluator.js';

export type CheckStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** Nagios plugin exit codes. */
export const EXIT_CODES: Record<CheckStatus, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** What one `usewatch check` saw over its window, ready for the text, JSON and Nagios views. */
export interface CheckRun {
  host: HostInfo;
  startedAt: number;
  endedAt: number;
  /**
   * The span the samples cover, in whole intervals (10 s for `--for 10s` live, and for a replay of
   * eleven frames one second apart), and the nominal interval.
   */
  windowMs: number;
  intervalMs: number;
  /** Frames taken, the first one (no rates) included. */
  frames: number;
  /** Sampled now, or re-evaluated from a recording (which decides the status differently). */
  mode: 'live' | 'replay';
  checklist: Checklist;
  /** The matrix and findings on the last sample of the window, judged by `judgeWindow`. */
  use: UseCell[];
  findings: WindowFinding[];
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

/** A finding as a check reports it: `sustainedThroughWindow` when the window, not the rule's `for`, made it fire. */
export type WindowFinding = Finding & { sustainedThroughWindow?: true };

/**
 * The check's status, the same live and replayed: the worst severity a finding had while firing in
 * the window, whether it still fires at the end (sustained through the window included), or was
 * raised or escalated and has since calmed down. Pending findings do not count.
 */
export function runStatus(run: Pick<CheckRun, 'findings' | 'events'>): CheckStatus {
  let worst: Severity | undefined;
  const note = (s: Severity) => {
    if (worst === undefined || s === 'critical') worst = s;
  };
  for (const e of run.events) if (e.kind === 'raised' || e.kind === 'escalated') note(e.severity);
  for (const f of run.findings) if (f.state === 'firing') note(f.severity);
  return worst === undefined ? 'OK' : worst === 'critical' ? 'CRITICAL' : 'WARNING';
}

/**
 * How a window shorter than a rule's `for` is judged (docs/check.md): a finding still pending at the
 * end whose breach began on the first sample its metric had in the window, and never went back to
 * its clear level, was breached on every sample that could be evaluated. The window cannot show
 * more, so it counts as firing, and its USE cell takes its severity. Judged by samples, not by
 * milliseconds: tick jitter cannot move the verdict.
 */
export function judgeWindow(
  last: Pick<Frame, 'use' | 'findings'>,
  checklist: Checklist,
  firstSampleOf: (metric: string, instance: string) => number | undefined,
): { findings: WindowFinding[]; use: UseCell[] } {
  const sustained: WindowFinding[] = [];
  const findings: WindowFinding[] = last.findings.map((f) => {
    if (f.state !== 'pending') return f;
    const rule = checklist.rules.find((r) => r.id === f.rule);
    const first = rule && firstSampleOf(rule.metric, f.instance);
    if (rule === undefined || first === undefined || f.since > first) return f;
    const judged: WindowFinding = { ...f, state: 'firing', sustainedThroughWindow: true };
    sustained.push(judged);
    return judged;
  });
  if (sustained.length === 0) return { findings, use: last.use };
  const use = last.use.map((cell) => {
    let status = cell.status;
    for (const f of sustained) {
      const metric = checklist.rules.find((r) => r.id === f.rule)?.metric;
      const same = f.resource === cell.resource && f.dimension === cell.dimension && f.instance === cell.instance;
      if (same && metric === cell.metric && status !== 'critical') status = f.severity;
    }
    return status === cell.status ? cell : { ...cell, status };
  });
  return { findings: findings.sort(compareFindings), use };
}

/**
 * The interval recorded frames were taken at. The median measured interval counts the slots the
 * span covers (it is robust to a skipped slot, but a busy host shifts it by a few per cent); the
 * span over those slots gives the interval, to 10 ms: 990 ms measured over 4990 ms reads as 1 s.
 */
export function nominalInterval(measured: readonly number[], spanMs: number): number {
  if (measured.length === 0) return 1000;
  const sorted = [...measured].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const slots = Math.max(1, Math.round(spanMs / median));
  return Math.max(10, Math.round(spanMs / slots / 10) * 10);
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
  /** `metric\0instance` → ts of the first frame that had a value for it. */
  private readonly firstSample = new Map<string, number>();
  private readonly intervals: number[] = [];

  add(frame: Frame): void {
    this.first ??= frame;
    this.lastFrame = frame;
    this.count++;
    for (const name in frame.metrics) {
      for (const inst in frame.metrics[name]) {
        const key = `${name}\0${inst}`;
        if (!this.firstSample.has(key)) this.firstSample.set(key, frame.ts);
      }
    }
    if (frame.intervalMs > 0 && this.intervals.length < 1000) this.intervals.push(frame.intervalMs);
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

  /**
   * The run over the frames added. `intervalMs` is the interval asked for (live); without it the
   * measured one is used (replay). Either way the window is stated in whole intervals.
   */
  finish(checklist: Checklist, opts: { intervalMs?: number; mode?: CheckRun['mode'] } = {}): CheckRun {
    const first = this.first;
    const lastFrame = this.lastFrame;
    if (first === undefined || lastFrame === undefined) throw new Error('no frame was collected');
    const mean: MetricValues = {};
    for (const name in this.sums) {
      mean[name] = {};
      for (const inst in this.sums[name]) mean[name][inst] = this.sums[name][inst] / this.counts[name][inst];
    }
    const intervalMs = opts.intervalMs ?? nominalInterval(this.intervals, lastFrame.ts - first.ts);
    const { findings, use } = judgeWindow(lastFrame, checklist, (metric, instance) =>
      this.firstSample.get(`${metric}\0${instance}`),
    );
    return {
      host: lastFrame.host,
      startedAt: first.ts,
      endedAt: lastFrame.ts,
      windowMs: Math.round((lastFrame.ts - first.ts) / intervalMs) * intervalMs,
      intervalMs,
      frames: this.count,
      mode: opts.mode ?? 'live',
      checklist,
      use,
      findings,
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
  opts: { intervalMs?: number; mode?: CheckRun['mode'] } = {},
): CheckRun {
  const acc = new RunAccumulator();
  for (const f of frames) acc.add(f);
  return acc.finish(checklist, opts);
}
