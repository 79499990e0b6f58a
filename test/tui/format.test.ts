import { describe, expect, it } from 'vitest';
import { formatAge, formatValue } from '../../src/tui/format.js';

describe('formatValue', () => {
  it('shows ratios as percent', () => {
    expect(formatValue(0.423, 'ratio')).toBe('42.3%');
    expect(formatValue(1, 'ratio')).toBe('100%');
    expect(formatValue(2.4, 'ratio')).toBe('240%');
    expect(formatValue(0.0042, 'ratio')).toBe('0.42%');
    expect(formatValue(0, 'ratio')).toBe('0%');
  });

  it('scales sizes and rates with their unit', () => {
    expect(formatValue(900 * 1024 * 1024, 'bytes')).toBe('900M');
    expect(formatValue(1.5 * 1024 ** 3, 'bytes')).toBe('1.5G');
    expect(formatValue(512, 'bytes')).toBe('512B');
    expect(formatValue(2.5 * 1024 * 1024, 'bytes_per_s')).toBe('2.5M/s');
    expect(formatValue(1.5e9, 'bits_per_s')).toBe('1.5Gb/s');
    expect(formatValue(12_300, 'per_s')).toBe('12.3k/s');
    expect(formatValue(4.2, 'ms')).toBe('4.2ms');
    expect(formatValue(2500, 'ms')).toBe('2.5s');
    expect(formatValue(90, 'seconds')).toBe('1m30s');
    expect(formatValue(72, 'hours')).toBe('3d');
    expect(formatValue(2.4, 'threads')).toBe('2.4');
  });

  it('shows a dash for a missing or non-finite value', () => {
    expect(formatValue(undefined, 'ratio')).toBe('-');
    expect(formatValue(Number.NaN, 'bytes')).toBe('-');
  });
});

describe('formatAge', () => {
  it('reads at a glance from seconds to days', () => {
    expect(formatAge(45_000)).toBe('45s');
    expect(formatAge(192_000)).toBe('3m12s');
    expect(formatAge(2 * 3_600_000 + 5 * 60_000)).toBe('2h05m');
    expect(formatAge(76 * 3_600_000)).toBe('3d4h');
    expect(formatAge(-5)).toBe('0s');
  });
});
