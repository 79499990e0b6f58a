import type { Frame } from '../model/frame.js';

/**
 * Recent values per series: each grid cell, for sparklines, and each carried cgroup's event counts,
 * for the totals of its detail. NaN marks a sample in which the series had no value.
 */
interface Series {
  ts: number[];
  values: number[];
}

/** What the view reads: the points of one series inside a time window. */
export interface HistoryView {
  points(key: string, fromTs: number, toTs: number): { ts: number[]; values: number[]; start: number; end: number };
}

/** Value extractor from a frame, so the history does not need to know how the grid is built. */
export type CellValues = (frame: Frame) => Iterable<[key: string, value: number | undefined]>;

/**
 * Keeps `windowMs` of per-cell values behind the newest frame. Pausing the view takes a snapshot,
 * so the frozen screen keeps its sparklines while new frames keep being recorded here.
 */
export class FrameHistory implements HistoryView {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly cellValues: CellValues,
    private readonly windowMs = 60_000,
  ) {}

  push(frame: Frame): void {
    const cutoff = frame.ts - this.windowMs;
    for (const [key, value] of this.cellValues(frame)) {
      let s = this.series.get(key);
      if (!s) {
        s = { ts: [], values: [] };
        this.series.set(key, s);
      }
      s.ts.push(frame.ts);
      s.values.push(value ?? Number.NaN);
    }
    for (const [key, s] of this.series) {
      let drop = 0;
      while (drop < s.ts.length && s.ts[drop] <= cutoff) drop++;
      if (drop === s.ts.length) this.series.delete(key);
      else if (drop > 0) {
        s.ts.splice(0, drop);
        s.values.splice(0, drop);
      }
    }
  }

  points(key: string, fromTs: number, toTs: number) {
    const s = this.series.get(key) ?? EMPTY;
    let start = 0;
    while (start < s.ts.length && s.ts[start] <= fromTs) start++;
    let end = start;
    while (end < s.ts.length && s.ts[end] <= toTs) end++;
    return { ts: s.ts, values: s.values, start, end };
  }

  /** Forgets every value: after a seek, so that a sparkline never joins two stretches of time. */
  clear(): void {
    this.series.clear();
  }

  snapshot(): FrameHistory {
    const copy = new FrameHistory(this.cellValues, this.windowMs);
    for (const [key, s] of this.series) copy.series.set(key, { ts: s.ts.slice(), values: s.values.slice() });
    return copy;
  }
}

const EMPTY: Series = { ts: [], values: [] };

/**
 * A sparkline of `width` columns over (toTs − windowMs, toTs]: each column is one time bucket
 * showing its highest value; a bucket without a value is a blank, so gaps stay visible. With fewer
 * samples per window than columns, the line is as wide as the samples and right-aligned.
 */
export function sparkline(
  history: HistoryView,
  key: string,
  toTs: number,
  opts: { width: number; windowMs: number; intervalMs: number; fixedMax?: number; levels: string[] },
): string {
  const { width, windowMs, levels } = opts;
  if (width <= 0) return '';
  const columns = Math.max(1, Math.min(width, Math.round(windowMs / Math.max(1, opts.intervalMs))));
  const fromTs = toTs - windowMs;
  const { ts, values, start, end } = history.points(key, fromTs, toTs);
  const buckets = new Array<number>(columns).fill(Number.NaN);
  let max = 0;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    const b = Math.min(columns - 1, Math.floor(((ts[i] - fromTs) / windowMs) * columns));
    if (!(buckets[b] >= v)) buckets[b] = v;
    if (v > max) max = v;
  }
  const top = opts.fixedMax ?? max;
  const last = levels.length - 1;
  let out = width > columns ? ' '.repeat(width - columns) : '';
  for (const v of buckets) {
    if (Number.isNaN(v)) out += ' ';
    else out += levels[top > 0 ? Math.max(0, Math.min(last, Math.round((v / top) * last))) : 0];
  }
  return out;
}
