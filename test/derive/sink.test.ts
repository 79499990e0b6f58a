import { describe, expect, it } from 'vitest';
import { MetricSink, roundSignificant } from '../../src/derive/types.js';

describe('metric sink', () => {
  it('keeps six significant digits of derived values and integers as they are', () => {
    expect(roundSignificant(0.8654075479504103)).toBe(0.865408);
    expect(roundSignificant(123456789.123)).toBe(123457000);
    expect(roundSignificant(0.000012345678)).toBe(0.0000123457);
    expect(roundSignificant(-2.5e-7)).toBe(-2.5e-7);
    expect(roundSignificant(2 ** 64)).toBe(2 ** 64);
  });

  it('rounds every value once derivation is done', () => {
    const sink = new MetricSink();
    sink.set('cpu.utilization', '', 2 / 3);
    expect(sink.get('cpu.utilization')).toBe(2 / 3);
    sink.roundAll();
    expect(sink.get('cpu.utilization')).toBe(0.666667);
  });

  it('drops non-finite values and rejects names outside the catalog', () => {
    const sink = new MetricSink();
    sink.set('cpu.utilization', '', Number.NaN);
    sink.set('cpu.utilization', '', Number.POSITIVE_INFINITY);
    expect(sink.values['cpu.utilization']).toBeUndefined();
    sink.set('cpu.utilization', '', 0.5);
    expect(sink.get('cpu.utilization')).toBe(0.5);
    // @ts-expect-error a misspelt name fails to compile; forced past the type, it is refused at run time
    expect(() => sink.set('cpu.utilisation', '', 1)).toThrow(/not in the catalog/);
  });
});
