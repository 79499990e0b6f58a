import { afterAll, describe, expect, it } from 'vitest';
import type { PressureLine, PressureSample } from '../../collectors/pressure.js';
import { type DeriveContext, defaultDeriveConfig, MetricSink } from '../../src/derive/types.js';
import { createFamilies, type Family, type FamilyOutput } from '../../src/pipeline/families.js';
import { blockedSample } from '../derive/cpu-times.js';

const families = createFamilies({ statfsTimeoutMs: 1000, deriveConfig: defaultDeriveConfig });
afterAll(() => {
  for (const f of families) f.close?.();
});

function derive(name: Family['name'], prev: unknown, cur: unknown): MetricSink {
  const ctx: DeriveContext = { dtSeconds: 1, out: new MetricSink(), config: defaultDeriveConfig };
  const output: FamilyOutput = { processes: [], kernelEvents: [] };
  families.find((f) => f.name === name)!.derive(prev, cur, ctx, output);
  return ctx.out;
}

const line = (totalUs: number): PressureLine => ({ avg10: 0, avg60: 0, avg300: 0, totalUs });
const both = (someUs: number, fullUs: number) => ({ some: line(someUs), full: line(fullUs) });

describe('pipeline families', () => {
  it('turns one pressure sample into the cpu, memory and disk stall shares', () => {
    const prev: PressureSample = { cpu: both(0, 0), memory: both(0, 0), io: both(0, 0), irq: { full: line(0) } };
    const cur: PressureSample = {
      cpu: both(100_000, 0),
      memory: both(200_000, 50_000),
      io: both(400_000, 300_000),
      irq: { full: line(10_000) },
    };
    expect(derive('pressure', prev, cur).values).toEqual({
      'cpu.psi_some': { '': 0.1 },
      'cpu.psi_irq_full': { '': 0.01 },
      'memory.psi_some': { '': 0.2 },
      'memory.psi_full': { '': 0.05 },
      'disk.psi_some': { '': 0.4 },
      'disk.psi_full': { '': 0.3 },
    });
  });

  it('sets disk.blocked_tasks from the procs_blocked line of the cpu family’s /proc/stat sample', () => {
    const out = derive('cpu', undefined, blockedSample(3));
    expect(out.get('disk.blocked_tasks')).toBe(3);
    expect(out.get('cpu.count')).toBe(1);
  });
});
