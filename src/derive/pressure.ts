import type { PressureLine, PressureSample } from '../../collectors/pressure.js';
import { counterDelta } from './counter.js';
import type { Deriver } from './types.js';

/** Share of the interval spent stalled: Δtotal µs over the interval in µs, at most 1 (timer skew). */
function stallShare(prev: PressureLine | undefined, cur: PressureLine | undefined, dtSeconds: number) {
  if (!(dtSeconds > 0)) return undefined;
  const d = counterDelta(prev?.totalUs, cur?.totalUs);
  return d === undefined ? undefined : Math.min(1, d / (dtSeconds * 1e6));
}

export const derivePressure: Deriver<PressureSample> = (prev, cur, { dtSeconds, out }) => {
  if (prev === undefined) return;
  out.set('cpu.psi_some', '', stallShare(prev.cpu?.some, cur.cpu?.some, dtSeconds));
  out.set('cpu.psi_irq_full', '', stallShare(prev.irq?.full, cur.irq?.full, dtSeconds));
  out.set('memory.psi_some', '', stallShare(prev.memory?.some, cur.memory?.some, dtSeconds));
  out.set('memory.psi_full', '', stallShare(prev.memory?.full, cur.memory?.full, dtSeconds));
  out.set('disk.psi_some', '', stallShare(prev.io?.some, cur.io?.some, dtSeconds));
  out.set('disk.psi_full', '', stallShare(prev.io?.full, cur.io?.full, dtSeconds));
};
