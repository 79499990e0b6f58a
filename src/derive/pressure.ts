import type { PressureLine } from '../../collectors/pressure.js';
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
  if (!(dtSeconds > 0)) return undefined;
  const d = counterDelta(prev?.totalUs, cur?.totalUs);
  return d === undefined ? undefined : Math.min(1, d / (dtSeconds * 1e6));
}
