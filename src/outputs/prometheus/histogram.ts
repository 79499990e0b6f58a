import { familyHeader, formatSampleValue, seriesName } from './text-format.js';

/**
 * A histogram without labels, kept in memory and written in the text format: one cumulative
 * `_bucket{le}` line per bound and `+Inf`, then `_sum` and `_count`.
 */
export class Histogram {
  private readonly header: string;
  private readonly bounds: readonly number[];
  /** Per bucket, the observations that fell in it (not cumulative); the last one is +Inf. */
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    private readonly name: string,
    help: string,
    bounds: readonly number[],
  ) {
    if (bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]))) {
      throw new Error(`histogram ${name}: bucket bounds must be finite and increasing, got ${bounds.join(', ')}`);
    }
    this.header = familyHeader(name, help, 'histogram');
    this.bounds = [...bounds, Number.POSITIVE_INFINITY];
    this.counts = this.bounds.map(() => 0);
  }

  observe(value: number): void {
    let i = 0;
    while (value > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }

  render(): string {
    let text = this.header;
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i];
      text += `\n${seriesName(`${this.name}_bucket`, { le: formatSampleValue(this.bounds[i]) })} ${cumulative}`;
    }
    return `${text}\n${this.name}_sum ${formatSampleValue(this.sum)}\n${this.name}_count ${this.count}`;
  }
}
