import type { SourceReport } from '../model/source-report.js';
import type { Logger } from './logger.js';

export interface RepeatLogOptions {
  /** How often the counts of repeated problems are logged. */
  summaryIntervalMs: number;
  /** Distinct problems remembered; further ones are only counted together. */
  maxTracked?: number;
  now?: () => number;
}

interface Tracked {
  source: string;
  status: string;
  reason: string;
  /** Repeats since the last summary. */
  repeats: number;
  lastSeen: number;
}

/** Per-process paths differ only by pid: one log line for "proc/<pid>/io denied", not one per process. */
const PID_SEGMENT = /(^|\/)\d+(?=\/|$)/g;

/**
 * Logs each unreadable source (a denied file, an absent PSI file, a stuck mount) once, then only
 * counts it, and logs the counts every summary interval. Ticks report the same problem every
 * second; a line for each would drown the journal.
 */
export class RepeatedProblemLog {
  private readonly tracked = new Map<string, Tracked>();
  private overflow = 0;
  private lastSummary: number;
  private readonly maxTracked: number;
  private readonly now: () => number;

  constructor(
    private readonly log: Logger,
    private readonly opts: RepeatLogOptions,
  ) {
    this.maxTracked = opts.maxTracked ?? 256;
    this.now = opts.now ?? Date.now;
    this.lastSummary = this.now();
  }

  /** Feeds one tick's non-ok sources. */
  observe(sources: readonly SourceReport[]): void {
    const now = this.now();
    for (const r of sources) {
      const source = r.source.replace(PID_SEGMENT, '$1<pid>');
      const key = `${source}\0${r.status}`;
      const seen = this.tracked.get(key);
      if (seen) {
        seen.repeats++;
        seen.lastSeen = now;
        seen.reason = r.reason ?? seen.reason;
        continue;
      }
      if (this.tracked.size >= this.maxTracked) {
        this.overflow++;
        continue;
      }
      this.tracked.set(key, { source, status: r.status, reason: r.reason ?? '', repeats: 0, lastSeen: now });
      const fields = { source, status: r.status, reason: r.reason };
      // An absent source (no PSI on this kernel) is a fact about the host, not a fault.
      if (r.status === 'absent') this.log.info(fields, 'source not available; further reports are counted');
      else this.log.warn(fields, 'source cannot be read; further reports are counted');
    }
    if (now - this.lastSummary >= this.opts.summaryIntervalMs) this.summarize(now);
  }

  /** Logs the counts since the last summary and forgets problems not seen since then. */
  summarize(now = this.now()): void {
    const repeated = [...this.tracked.values()]
      .filter((t) => t.repeats > 0)
      .map((t) => ({ source: t.source, status: t.status, count: t.repeats, reason: t.reason }));
    if (repeated.length > 0 || this.overflow > 0) {
      this.log.info(
        { problems: repeated, untracked: this.overflow || undefined, sinceMs: now - this.lastSummary },
        'repeated source problems since the last summary',
      );
    }
    for (const [key, t] of this.tracked) {
      if (t.lastSeen < this.lastSummary) this.tracked.delete(key);
      else t.repeats = 0;
    }
    this.overflow = 0;
    this.lastSummary = now;
  }
}
