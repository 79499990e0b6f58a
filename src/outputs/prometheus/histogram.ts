import { type ExpositionWriter, familyHeader, formatSampleValue, sampleStart } from './text-format.js';

/**
 * A histogram without labels, kept in memory and written in the text format: one cumulative
 * `_bucket{le}` line per bound and `+Inf`, then `_sum` and `_count`. Its header and the series name
 * of each line never change: they are encoded once.
 */
export class Histogram {
  private readonly header: Uint8Array;
  private readonly bounds: readonly number[];
  /** Per bucket, the line feed, series name and space of its line. */
  private readonly bucketSeries: readonly Uint8Array[];
  private readonly sumSeries: Uint8Array;
  private readonly countSeries: Uint8Array;
  /** Per bucket, the observations that fell in it (not cumulative); the last one is +Inf. */
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(name: string, help: string, bounds: readonly number[]) {
    if (bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]))) {
      throw new Error(`histogram ${name}: bucket bounds must be finite and increasing, got ${bounds.join(', ')}`);
    }
    this.header = Buffer.from(familyHeader(name, help, 'histogram'), 'utf8');
    this.bounds = [...bounds, Number.POSITIVE_INFINITY];
    this.bucketSeries = this.bounds.map((b) => sampleStart(`${name}_bucket`, ['le'], [formatSampleValue(b)]));
    this.sumSeries = sampleStart(`${name}_sum`, [], []);
    this.countSeries = sampleStart(`${name}_count`, [], []);
    this.counts = this.bounds.map(() => 0);
  }

  observe(value: number): void {
    let i = 0;
    while (value > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }

  writeTo(out: ExpositionWriter): void {
    out.family(this.header);
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i];
      out.bytes(this.bucketSeries[i]);
      out.ascii(`${cumulative}`);
    }
    out.bytes(this.sumSeries);
    out.ascii(formatSampleValue(this.sum));
    out.bytes(this.countSeries);
    out.ascii(`${this.count}`);
  }
}
