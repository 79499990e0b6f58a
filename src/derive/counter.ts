import type { Counter } from '../../collectors/types.js';

const TWO_32 = 2 ** 32;

/**
 * Exact increase of a cumulative counter between two samples, as a number. A decrease means the
 * counter was reset (interface recreated, driver reset, CPU brought back online): the interval has
 * no valid delta and undefined is returned, so that no negative or absurd rate is ever produced.
 */
export function counterDelta(prev: Counter | undefined, cur: Counter | undefined): number | undefined {
  if (prev === undefined || cur === undefined) return undefined;
  if (typeof prev === 'number' && typeof cur === 'number') return cur >= prev ? cur - prev : undefined;
  const d = BigInt(cur) - BigInt(prev);
  return d >= 0n ? Number(d) : undefined;
}

/**
 * Increase of a kernel field printed as a 32-bit unsigned int (the diskstats millisecond fields),
 * taken modulo 2^32 so that a wrap yields the true small delta.
 */
export function wrap32Delta(prev: Counter | undefined, cur: Counter | undefined): number | undefined {
  if (prev === undefined || cur === undefined) return undefined;
  const p = Number(prev);
  const c = Number(cur);
  if (p >= TWO_32 || c >= TWO_32) return counterDelta(prev, cur);
  return c >= p ? c - p : c + TWO_32 - p;
}

/** Per-second rate of a counter over dtSeconds; undefined on the first sample, a reset or a zero interval. */
export function counterRate(
  prev: Counter | undefined,
  cur: Counter | undefined,
  dtSeconds: number,
): number | undefined {
  if (!(dtSeconds > 0)) return undefined;
  const d = counterDelta(prev, cur);
  return d === undefined ? undefined : d / dtSeconds;
}

/** Counter as a plain number for display or export; beyond 2^53 the nearest double. */
export function counterToNumber(c: Counter): number {
  return typeof c === 'number' ? c : Number(c);
}
