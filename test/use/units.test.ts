import { describe, expect, it } from 'vitest';
import type { Unit } from '../../src/catalog/index.js';
import { catalog } from '../../src/catalog/index.js';
import { parseThreshold } from '../../src/checklist/threshold.js';
import { formatNumber, formatSpan, formatValue, formatWaitingThreads } from '../../src/use/units.js';

const MiB = 1024 * 1024;

/** Every unit of the catalog's type (tsc refuses a missing one), each with its usual, edge and sub-unit values. */
const VALUES: Record<Unit, [number, string][]> = {
  ratio: [
    [0.423, '42.3%'],
    [1, '100%'],
    [2.4, '240%'],
    [0.0042, '0.42%'],
    [0, '0%'],
    [-0.05, '-5%'],
    [0.000_01, '0%'],
    [1e6, '100000000%'],
  ],
  count: [
    [7, '7'],
    [0, '0'],
    [12_345, '12.3k'],
    [999_700, '1M'],
    [-2500, '-2.5k'],
    [0.5, '0.5'],
    [1e18, '1000P'],
  ],
  per_s: [
    [12_300, '12.3k/s'],
    [0, '0/s'],
    [0.25, '0.25/s'],
    [-3, '-3/s'],
  ],
  bytes: [
    [900 * MiB, '900M'],
    [1.5 * 1024 ** 3, '1.5G'],
    [512, '512B'],
    [0, '0B'],
    [1023.9, '1K'],
    [-4096, '-4K'],
    [0.5, '0.5B'],
    [2 ** 64, '16384P'],
  ],
  bytes_per_s: [
    [2.5 * MiB, '2.5M/s'],
    [0, '0B/s'],
    [100, '100B/s'],
  ],
  bits_per_s: [
    [1.5e9, '1.5Gb/s'],
    [100e6, '100Mb/s'],
    [10e9, '10Gb/s'],
    [0, '0b/s'],
  ],
  ms: [
    [4.2, '4.2ms'],
    [2500, '2.5s'],
    [0, '0ms'],
    [0.35, '0.35ms'],
    [999.4, '999ms'],
    [999.6, '1s'],
    [-5, '-5ms'],
  ],
  seconds: [
    [90, '1m30s'],
    [0, '0s'],
    [0.25, '250ms'],
    [3 * 86_400, '3d0h'],
  ],
  hours: [
    [72, '3d'],
    [12, '12h'],
    [47.9, '47.9h'],
    [0, '0h'],
    [0.5, '0.5h'],
  ],
  threads: [
    [2.4, '2.4'],
    [0, '0'],
    [0.05, '0.1'],
  ],
  cpus: [
    [4, '4'],
    [0.5, '0.5'],
  ],
};

describe('formatValue: one spelling of every unit, in every view', () => {
  const rows = Object.entries(VALUES).flatMap(([unit, cases]) => cases.map(([value, text]) => ({ unit, value, text })));
  it.each(rows)('$value $unit is "$text"', ({ unit, value, text }) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  it('shows a dash for a missing or non-finite value, whatever the unit', () => {
    for (const unit of Object.keys(VALUES)) {
      for (const value of [undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
        expect(formatValue(value, unit), `${value} ${unit}`).toBe('-');
    }
  });

  it('writes sizes, durations and percentages so that they read back as checklist thresholds', () => {
    const readBack: Unit[] = ['ratio', 'bytes', 'bytes_per_s', 'bits_per_s', 'ms', 'hours'];
    for (const unit of readBack) {
      for (const [value, text] of VALUES[unit]) {
        if (value < 0) continue; // thresholds are never negative
        const parsed = parseThreshold(text, { name: 'm', unit, canExceedOne: true });
        expect(parsed, `${text} (${unit})`).toMatchObject({ ok: true });
        // Within the rounding of two to three significant figures.
        if (parsed.ok)
          expect(Math.abs(parsed.value - value), `${text} (${unit})`).toBeLessThanOrEqual(
            Math.abs(value) * 0.05 + 0.005,
          );
      }
    }
  });

  it('covers every unit the catalog uses', () => {
    for (const def of catalog) expect(Object.keys(VALUES)).toContain(def.unit);
  });
});

describe('formatSpan: a span of time people read', () => {
  it.each([
    [45_000, '45s'],
    [192_000, '3m12s'],
    [2 * 3_600_000 + 5 * 60_000, '2h05m'],
    [76 * 3_600_000, '3d4h'],
    [-5, '0s'],
    [604_000, '10m04s'],
    [600_000, '10m00s'],
    [3_720_000, '1h02m'],
    [3_600_000, '1h00m'],
    [93_600_000, '26h00m'],
    [10_000, '10s'],
    [500, '500ms'],
    [0, '0s'],
    [9_998, '10s'],
    [59_600, '1m00s'],
    [999.6, '1s'],
    [0.4, '0s'],
  ])('%d ms is "%s"', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });

  it('shows a dash for a span that is not a number', () => {
    expect(formatSpan(Number.NaN)).toBe('-');
    expect(formatSpan(Number.POSITIVE_INFINITY)).toBe('-');
  });
});

describe('formatNumber: a figure whose label says its unit', () => {
  it.each([
    [51_200, '51200'],
    [1.25, '1.25'],
    [42.34, '42.3'],
    [0.5, '0.5'],
    [-0.004, '0'],
    [0, '0'],
  ])('%d is "%s"', (n, text) => {
    expect(formatNumber(n)).toBe(text);
  });
});

describe('formatWaitingThreads: a process run delay, alike in the process table, the detail and findings', () => {
  it.each([
    [0.02, '0.02'],
    [1.5, '1.50'],
    [0, '0.00'],
    [undefined, '-'],
    [Number.NaN, '-'],
  ])('%s threads waiting is "%s"', (threads, text) => {
    expect(formatWaitingThreads(threads)).toBe(text);
  });
});
