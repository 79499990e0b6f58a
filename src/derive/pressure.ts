import type { PressureLine } from '../../collectors/pressure.js';
import type { Counter } from '../../collectors/types.js';
import { counterDelta } from './counter.js';

/**
 * Share of the interval spent stalled: Δtotal µs over the interval in µs, at most 1 (timer skew).
 * The pressure family has no deriver of its own: each resource's deriver turns its lines of
 * /proc/pressure into its own metrics with this (deriveCpuPressure, deriveMemoryPressure,
 * deriveDiskPressure), and src/pipeline/families.ts runs the three on every pressure sample.
 */
export function stallShare(
  prev: PressureLine | undefined,
  cur: PressureLine | undefined,
  dtSeconds: number,
): number | undefined {
  return usecShare(prev?.totalUs, cur?.totalUs, dtSeconds);
}

/**
 * Increase of a microsecond counter as a share of the interval, at most 1 (timer skew): PSI stall
 * totals, the host's and each cgroup's. Undefined on the first sample, a reset or a zero interval.
 */
export function usecShare(prev: Counter | undefined, cur: Counter | undefined, dtSeconds: number): number | undefined {
  if (!(dtSeconds > 0)) return undefined;
  const d = counterDelta(prev, cur);
  return d === undefined ? undefined : Math.min(1, d / (dtSeconds * 1e6));
}
