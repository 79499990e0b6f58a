import { round } from '../stats.js';

/** What one subject (the agent, node_exporter, the bare reader) cost over the window. */
export interface SubjectFigures {
  name: string;
  /** CPU of the whole process tree, every thread, per second of wall time. */
  cpuMsPerS: number;
  /** VmHWM at the end of the window. */
  peakRssMb: number;
  /** Minor page faults of the subject's own process per second of the window (proc-stat.ts, minorFaults). */
  minorFaultsPerS: number;
}

export interface BudgetCheck {
  what: string;
  value: number;
  limit: number;
  unit: string;
}

/** `usewatch / bare reader  1.32 ×  budget ≤ 1.5 ×  met`; a missing figure reads as not measured. */
export function budgetLine(check: BudgetCheck): string {
  const value = Number.isFinite(check.value) ? `${round(check.value, 2)} ${check.unit}` : 'not measured';
  const status = !Number.isFinite(check.value) ? '' : check.value <= check.limit ? 'met' : 'OVER';
  return `  ${check.what.padEnd(28)} ${value.padEnd(12)} budget ≤ ${check.limit} ${check.unit}  ${status}`.trimEnd();
}

/** a / b, or NaN when b was not measured or is zero. */
export function ratio(a: number, b: number | undefined): number {
  return b === undefined || !(b > 0) ? Number.NaN : a / b;
}

/**
 * The budgets of issue 22 against the figures of one run: the agent against the bare reader
 * (≤ 1.5 ×) and node_exporter with its process collector (≤ 0.6 ×), its peak RSS (≤ 60 MB), and
 * on a 1,000-process host its own CPU (≤ 30 ms a second).
 */
export function wholeBudgets(
  agent: SubjectFigures,
  bare: SubjectFigures | undefined,
  nodeExporter: SubjectFigures | undefined,
  processes: number,
): BudgetCheck[] {
  const checks: BudgetCheck[] = [
    { what: 'usewatch / bare reader', value: ratio(agent.cpuMsPerS, bare?.cpuMsPerS), limit: 1.5, unit: '×' },
    { what: 'usewatch / node_exporter', value: ratio(agent.cpuMsPerS, nodeExporter?.cpuMsPerS), limit: 0.6, unit: '×' },
    { what: 'usewatch peak RSS', value: agent.peakRssMb, limit: 60, unit: 'MB' },
  ];
  if (processes >= 1000) checks.push({ what: 'usewatch CPU', value: agent.cpuMsPerS, limit: 30, unit: 'ms/s' });
  return checks;
}

/** Least-squares slope of RSS samples, in MB per hour; NaN with fewer than two samples. */
export function growthMbPerHour(samples: { atS: number; rssMb: number }[]): number {
  if (samples.length < 2) return Number.NaN;
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.atS, 0) / n;
  const my = samples.reduce((a, s) => a + s.rssMb, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.atS - mx) * (s.rssMb - my);
    den += (s.atS - mx) ** 2;
  }
  return den === 0 ? Number.NaN : (num / den) * 3600;
}

/**
 * The growth that would go on for hours: the slope of the samples taken once the agent's frame ring
 * is full (`fullFromS` after start), since the ring filling is a one-off of a few MB, not a leak. A
 * soak that ended before two such samples gets the slope of all its samples, marked unsettled.
 */
export function settledGrowthMbPerHour(
  samples: { atS: number; rssMb: number }[],
  fullFromS: number,
): { growth: number; used: number; settled: boolean } {
  const settled = samples.filter((s) => s.atS >= fullFromS);
  if (settled.length >= 2) return { growth: growthMbPerHour(settled), used: settled.length, settled: true };
  return { growth: growthMbPerHour(samples), used: samples.length, settled: false };
}
