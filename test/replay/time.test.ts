import { describe, expect, it } from 'vitest';
import { parseTimeSpec } from '../../src/replay/time.js';

const NOW = new Date(2026, 10, 25, 14, 30, 0).getTime(); // local time

describe('parseTimeSpec', () => {
  it('reads a time before now', () => {
    expect(parseTimeSpec('-2h', NOW)).toBe(NOW - 2 * 3_600_000);
    expect(parseTimeSpec('-30m', NOW)).toBe(NOW - 1_800_000);
    expect(parseTimeSpec('-90s', NOW)).toBe(NOW - 90_000);
  });

  it('reads a clock time as today, local time', () => {
    expect(parseTimeSpec('03:12', NOW)).toBe(new Date(2026, 10, 25, 3, 12, 0).getTime());
    expect(parseTimeSpec('3:12:30', NOW)).toBe(new Date(2026, 10, 25, 3, 12, 30).getTime());
  });

  it('reads ISO 8601, with or without an offset, and epoch milliseconds', () => {
    expect(parseTimeSpec('2026-11-25T03:12:00Z', NOW)).toBe(Date.UTC(2026, 10, 25, 3, 12));
    expect(parseTimeSpec('2026-11-25T03:12:00+01:00', NOW)).toBe(Date.UTC(2026, 10, 25, 2, 12));
    expect(parseTimeSpec('2026-11-25T03:12', NOW)).toBe(new Date(2026, 10, 25, 3, 12).getTime());
    expect(parseTimeSpec('1795000000000', NOW)).toBe(1795000000000);
  });

  it('names the value and the accepted forms when it cannot read it', () => {
    expect(() => parseTimeSpec('yesterday', NOW)).toThrow(
      /cannot read time "yesterday": expected an ISO time.*-2h.*03:12/,
    );
    expect(() => parseTimeSpec('-2 hours', NOW)).toThrow(/after "-" expected a number and a unit/);
    expect(() => parseTimeSpec('25:00', NOW)).toThrow(/not a clock time/);
    expect(() => parseTimeSpec('2026-13-45T00:00Z', NOW)).toThrow(/cannot read time/);
  });
});
