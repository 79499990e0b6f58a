import { describe, expect, it } from 'vitest';
import { budgetLine, growthMbPerHour, settledGrowthMbPerHour, wholeBudgets } from '../../bench/whole/report.js';

const agent = { name: 'usewatch', cpuMsPerS: 12, peakRssMb: 55, minorFaultsPerS: 4 };
const bare = { name: 'bare reader', cpuMsPerS: 10, peakRssMb: 40, minorFaultsPerS: 0 };
const nodeExporter = { name: 'node_exporter', cpuMsPerS: 18, peakRssMb: 20, minorFaultsPerS: 1 };

describe('wholeBudgets', () => {
  it('puts the agent against the bare reader, node_exporter and its RSS budget', () => {
    const lines = wholeBudgets(agent, bare, nodeExporter, 100).map(budgetLine);
    expect(lines).toEqual([
      '  usewatch / bare reader       1.2 ×        budget ≤ 1.5 ×  met',
      '  usewatch / node_exporter     0.67 ×       budget ≤ 0.6 ×  OVER',
      '  usewatch peak RSS            55 MB        budget ≤ 60 MB  met',
    ]);
  });

  it('adds the 30 ms a second budget on a 1,000-process host', () => {
    const checks = wholeBudgets({ ...agent, cpuMsPerS: 31 }, bare, nodeExporter, 1000);
    expect(budgetLine(checks[3])).toBe('  usewatch CPU                 31 ms/s      budget ≤ 30 ms/s  OVER');
  });

  it('reads a missing node_exporter as not measured rather than a ratio', () => {
    const checks = wholeBudgets(agent, bare, undefined, 100);
    expect(budgetLine(checks[1])).toBe('  usewatch / node_exporter     not measured budget ≤ 0.6 ×');
  });
});

describe('growthMbPerHour', () => {
  it('is the least-squares slope, so one noisy sample does not decide it', () => {
    const samples = [0, 60, 120, 180, 240].map((atS, i) => ({ atS, rssMb: 50 + i * 0.05 + (i === 2 ? 1 : 0) }));
    // 0.05 MB a minute is 3 MB an hour; the bump in the middle does not move the slope
    expect(growthMbPerHour(samples)).toBeCloseTo(3, 6);
  });

  it('is not a number with fewer than two samples', () => {
    expect(growthMbPerHour([{ atS: 0, rssMb: 50 }])).toBeNaN();
  });
});

describe('settledGrowthMbPerHour', () => {
  it('leaves out the samples taken while the frame ring was still filling', () => {
    // 4 MB of ring filling from 180 s to 300 s, then flat: no growth an hour, not 19 MB
    const samples = [180, 240, 300, 600, 900, 1200].map((atS) => ({
      atS,
      rssMb: atS < 300 ? 86 + (atS - 180) / 30 : 90,
    }));
    expect(growthMbPerHour(samples)).toBeGreaterThan(5);
    expect(settledGrowthMbPerHour(samples, 300)).toEqual({ growth: 0, used: 4, settled: true });
  });

  it('falls back to every sample, marked unsettled, when the soak ended before two samples of a full ring', () => {
    const samples = [180, 240, 300].map((atS, i) => ({ atS, rssMb: 80 + i * 2 }));
    const { growth, used, settled } = settledGrowthMbPerHour(samples, 300);
    expect(settled).toBe(false);
    expect(used).toBe(3);
    expect(growth).toBeCloseTo(120, 6);
  });
});
