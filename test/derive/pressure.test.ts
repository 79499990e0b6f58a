import { describe, expect, it } from 'vitest';
import type { PressureLine, PressureSample } from '../../collectors/pressure.js';
import { deriveCpuPressure } from '../../src/derive/cpu.js';
import { deriveDiskPressure } from '../../src/derive/disk.js';
import { deriveMemoryPressure } from '../../src/derive/memory.js';
import { type DeriveContext, defaultDeriveConfig, deriveAll, MetricSink } from '../../src/derive/types.js';

/** The pressure family's derive, as src/pipeline/families.ts wires it. */
const derivePressure = deriveAll(deriveCpuPressure, deriveMemoryPressure, deriveDiskPressure);

const line = (totalUs: number | bigint): PressureLine => ({ avg10: 0, avg60: 0, avg300: 0, totalUs });

function run(prev: PressureSample | undefined, cur: PressureSample, dtSeconds = 2): MetricSink {
  const ctx: DeriveContext = { dtSeconds, out: new MetricSink(), config: defaultDeriveConfig };
  derivePressure(prev, cur, ctx);
  return ctx.out;
}

const prev: PressureSample = {
  cpu: { some: line(1_000_000), full: line(0) },
  memory: { some: line(0), full: line(0) },
  io: { some: line(5_000_000), full: line(4_000_000) },
};

describe('pressure stall shares (cpu, memory and disk derivers)', () => {
  it('turns Δtotal µs into the stalled share of the interval', () => {
    const m = run(prev, {
      cpu: { some: line(1_500_000), full: line(0) },
      memory: { some: line(200_000), full: line(100_000) },
      io: { some: line(6_000_000), full: line(4_400_000) },
    });
    expect(m.get('cpu.psi_some')).toBe(0.25);
    expect(m.get('memory.psi_some')).toBe(0.1);
    expect(m.get('memory.psi_full')).toBe(0.05);
    expect(m.get('disk.psi_some')).toBe(0.5);
    expect(m.get('disk.psi_full')).toBe(0.2);
    expect(m.values['cpu.psi_irq_full']).toBeUndefined();
  });

  it('sets irq pressure where the kernel has it', () => {
    const m = run({ ...prev, irq: { full: line(10) } }, { ...prev, irq: { full: line(20_010) } });
    expect(m.get('cpu.psi_irq_full')).toBe(0.01);
  });

  it('has no shares on the first sample', () => {
    expect(run(undefined, prev).values).toEqual({});
  });

  it('caps the share at 1 when timer skew makes the stall look longer than the interval', () => {
    expect(run(prev, { ...prev, cpu: { some: line(4_000_000) } }).get('cpu.psi_some')).toBe(1);
  });

  it('gives nothing across a reset or for a resource that vanished', () => {
    const m = run(prev, { cpu: { some: line(10) } });
    expect(m.values['cpu.psi_some']).toBeUndefined();
    expect(m.values['memory.psi_some']).toBeUndefined();
  });
});
