import type { CpuSample, CpuTimes } from '../../collectors/cpu.js';

const ZERO: CpuTimes = {
  user: 0,
  nice: 0,
  system: 0,
  idle: 0,
  iowait: 0,
  irq: 0,
  softirq: 0,
  steal: 0,
  guest: 0,
  guestNice: 0,
};

/** One /proc/stat cpu line: the modes given, 0 for the rest. */
export const times = (t: Partial<CpuTimes>): CpuTimes => ({ ...ZERO, ...t });

/** A /proc/stat sample of one idle CPU with the procs_blocked line given (absent when undefined). */
export function blockedSample(procsBlocked: number | undefined): CpuSample {
  const idle = times({ idle: 100 });
  return { stat: { total: idle, cpus: new Map([['cpu0', idle]]), procsBlocked } };
}
