import { describe, expect, test } from 'vitest';
import { Histogram } from '../../../src/outputs/prometheus/histogram.js';
import { ExpositionWriter } from '../../../src/outputs/prometheus/text-format.js';

/** The histogram's text as a body holds it, without the body's final line feed. */
function render(h: Histogram): string {
  return new ExpositionWriter()
    .body((out) => h.writeTo(out))
    .toString('utf8')
    .slice(0, -1);
}

describe('Histogram', () => {
  test('before any observation: every bucket, the sum and the count at 0', () => {
    expect(render(new Histogram('t_seconds', 'Time.', [0.5, 1]))).toBe(
      [
        '# HELP t_seconds Time.',
        '# TYPE t_seconds histogram',
        't_seconds_bucket{le="0.5"} 0',
        't_seconds_bucket{le="1"} 0',
        't_seconds_bucket{le="+Inf"} 0',
        't_seconds_sum 0',
        't_seconds_count 0',
      ].join('\n'),
    );
  });

  test('buckets are cumulative and a value on a bound counts in that bucket (le)', () => {
    const h = new Histogram('t_seconds', 'Time.', [0.0005, 0.001, 0.0025]);
    for (const v of [0.0001, 0.0005, 0.002, 0.003, 7]) h.observe(v);
    const lines = render(h).split('\n').slice(2);
    expect(lines).toEqual([
      't_seconds_bucket{le="0.0005"} 2',
      't_seconds_bucket{le="0.001"} 2',
      't_seconds_bucket{le="0.0025"} 3',
      't_seconds_bucket{le="+Inf"} 5',
      `t_seconds_sum ${0.0001 + 0.0005 + 0.002 + 0.003 + 7}`,
      't_seconds_count 5',
    ]);
  });

  test('bounds that are not increasing or not finite are refused, naming the histogram', () => {
    expect(() => new Histogram('t_seconds', 'Time.', [1, 1])).toThrow(/t_seconds.*increasing/);
    expect(() => new Histogram('t_seconds', 'Time.', [1, Number.POSITIVE_INFINITY])).toThrow(/t_seconds/);
  });
});
