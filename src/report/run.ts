import type { MetricName } from '../catalog/index.js';
import type { Checklist } from '../checklist/model.js';
import type { CgroupEntry } from '../model/cgroup.js';
import type {
  FindingEvent,
  Frame,
  HostInfo,
  KernelEvent,
  MetricValues,
  ProcessEntry,
  Severity,
} from '../model/frame.js';
import type { SourceReport } from '../model/source-report.js';
import { median } from '../use/median.js';
import { judgeWindow, type SampleStats, type WindowCell, type WindowFinding } from '../use/window.js';
import { type CgroupSummary, type WindowFigures, windowCgroups } from './cgroups.js';

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
  use: WindowCell[];
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
  /** The services and containers worth reporting (see windowCgroups); empty when no frame carried any. */
  cgroups: CgroupSummary[];
}

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
 * The interval recorded frames were taken at. The median measured interval counts the slots the
 * span covers (it is robust to a skipped slot). Each frame's time is its tick's, late by however long
 * the timer waited, so on a busy host the span over a few slots is off by tens of milliseconds: the
 * result snaps to an interval a user would configure (1 s, 500 ms, 2.5 s…) when within 5 % of one,
 * else it is the span over the slots to 10 ms.
 */
export function nominalInterval(measured: readonly number[], spanMs: number): number {
  const typical = median(measured);
  if (typical === undefined) return 1000;
  const slots = Math.max(1, Math.round(spanMs / typical));
  const perSlot = spanMs / slots;
  const decade = 10 ** Math.floor(Math.log10(Math.max(perSlot, 1)));
  for (const step of [decade, 10 * decade]) {
    for (const mantissa of ROUND_INTERVALS) {
      const round = mantissa * step;
      if (Math.abs(perSlot - round) <= round * 0.05) return Math.max(10, round);
    }
  }
  return Math.max(10, Math.round(perSlot / 10) * 10);
}

/** Leading digits of intervals as people write them: 1 s, 1.5 s, 2 s, 2.5 s, 5 s, 250 ms… */
const ROUND_INTERVALS = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8] as const;

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
  /** metric → instance → sum and count of its rated values, for the means. */
  private readonly sums = new Map<string, Map<string, { sum: number; n: number }>>();
  private readonly sources = new Map<string, SourceReport>();
  private readonly events: FindingEvent[] = [];
  private readonly kernelEvents: KernelEvent[] = [];
  private readonly processes = new Map<string, { latest: ProcessEntry; sums: Record<string, number> }>();
  /** Metrics the first frame had (gauges): their evaluable samples start there, the others' at the first rates. */
  private readonly onFirstFrame = new Set<string>();
  /** `metric\0instance` → what its evaluable samples held. */
  private readonly samples = new Map<string, SampleStats>();
  private readonly intervals: number[] = [];
  /** Each cgroup carried in the window: its latest entry and how many frames carried it. */
  private readonly cgroups = new Map<string, { entry: CgroupEntry; samples: number }>();

  add(frame: Frame): void {
    this.first ??= frame;
    this.lastFrame = frame;
    this.count++;
    if (this.count === 1) for (const name in frame.metrics) this.onFirstFrame.add(name);
    this.addSamples(frame);
    if (frame.intervalMs > 0 && this.intervals.length < 1000) this.intervals.push(frame.intervalMs);
    for (const s of frame.sources) this.sources.set(s.source, s);
    this.events.push(...frame.events);
    this.kernelEvents.push(...frame.kernelEvents);
    for (const entry of frame.cgroups ?? [])
      this.cgroups.set(entry.id, { entry, samples: (this.cgroups.get(entry.id)?.samples ?? 0) + 1 });
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
    // Built from entries: a recorded name is never assigned as a key (see parseWireJson).
    const mean: MetricValues = Object.fromEntries(
      [...this.sums].map(([name, byInstance]) => [
        name,
        Object.fromEntries([...byInstance].map(([inst, { sum, n }]) => [inst, sum / n])),
      ]),
    );
    const intervalMs = opts.intervalMs ?? nominalInterval(this.intervals, lastFrame.ts - first.ts);
    const { findings, use } = judgeWindow(
      {
        last: lastFrame,
        evaluable: (metric) => (this.onFirstFrame.has(metric) ? this.count : this.rated),
        stats: (metric, instance) => this.samples.get(`${metric}\0${instance}`),
      },
      checklist,
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
      cgroups: windowCgroups(this.cgroups, this.figures(mean), findings),
    };
  }

  /** Means, peaks and totals over the window, for the cgroups' figures. */
  private figures(mean: MetricValues): WindowFigures {
    return {
      mean: (metric: MetricName, instance: string) => mean[metric]?.[instance],
      peak: (metric: MetricName, instance: string) => this.samples.get(`${metric}\0${instance}`)?.max,
      total: (metric: MetricName, instance: string) => this.sums.get(metric)?.get(instance)?.sum,
    };
  }

  private addMetrics(metrics: MetricValues): void {
    for (const name in metrics) {
      let byName = this.sums.get(name);
      if (byName === undefined) {
        byName = new Map();
        this.sums.set(name, byName);
      }
      const byInstance = metrics[name];
      for (const inst in byInstance) {
        const acc = byName.get(inst);
        if (acc === undefined) byName.set(inst, { sum: byInstance[inst], n: 1 });
        else {
          acc.sum += byInstance[inst];
          acc.n++;
        }
      }
    }
  }

  /** Each value on an evaluable sample of its metric: every frame for a gauge, frames with rates for the rest. */
  private addSamples(frame: Frame): void {
    for (const name in frame.metrics) {
      if (frame.intervalMs <= 0 && !this.onFirstFrame.has(name)) continue;
      const byInstance = frame.metrics[name];
      for (const inst in byInstance) {
        const value = byInstance[inst];
        const low = Number.isFinite(value) ? value : Number.NEGATIVE_INFINITY;
        const high = Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
        const key = `${name}\0${inst}`;
        const s = this.samples.get(key);
        if (s === undefined) {
          this.samples.set(key, { count: 1, min: low, max: high, firstTs: frame.ts, firstValue: value });
        } else {
          s.count++;
          s.min = Math.min(s.min, low);
          s.max = Math.max(s.max, high);
        }
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
