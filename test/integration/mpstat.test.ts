import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CpuSample, createCpuCollector } from '../../collectors/cpu.js';
import { ProcFs, SourceLog } from '../../collectors/procfs.js';
import { deriveCpu } from '../../src/derive/cpu.js';
import { defaultDeriveConfig, MetricSink } from '../../src/derive/types.js';

/**
 * CPU busy share over one second against sysstat's `mpstat 1 1` over the same second, within 2
 * points. mpstat's %usr and %nice exclude guest time, which /proc/stat's user and nice include, so
 * its busy share is %usr + %nice + %sys + %irq + %soft + %guest + %gnice. A steady busy loop on one
 * CPU keeps both windows (ours opens a few ms before mpstat's first read) seeing the same load.
 */
const hasMpstat = spawnSync('mpstat', ['-V']).error === undefined;
if (!hasMpstat) console.warn('mpstat integration test skipped: mpstat (sysstat) is not installed');

/** The `all` row of mpstat's Average line, as column name → value. */
function averageRow(output: string): Record<string, number> | undefined {
  const rows = output.split('\n');
  const header = rows.find((r) => r.includes('%usr'));
  const average = rows.find((r) => r.startsWith('Average:') && r.includes(' all '));
  if (header === undefined || average === undefined) return undefined;
  const names = header.trim().split(/\s+/).slice(-11); // CPU %usr … %idle
  const values = average.trim().split(/\s+/).slice(-11);
  return Object.fromEntries(names.map((n, i) => [n, Number(values[i])]));
}

describe.skipIf(!hasMpstat)('CPU busy share matches mpstat', () => {
  let load: ChildProcess;

  beforeAll(async () => {
    load = spawn('sh', ['-c', 'while :; do :; done']);
    await new Promise((r) => setTimeout(r, 300));
  });

  afterAll(() => {
    load.kill('SIGKILL');
  });

  it('agrees with mpstat 1 1 within 2 percentage points', async () => {
    const fs = new ProcFs('/');
    const collector = createCpuCollector();
    const read = () => collector.read(new SourceLog(fs)) as CpuSample;
    const before = read();
    const t0 = performance.now();
    const mpstat = spawnSync('mpstat', ['1', '1'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    const after = read();
    const dtSeconds = (performance.now() - t0) / 1000;
    fs.close();

    const row = averageRow(mpstat.stdout);
    expect(row, mpstat.stdout).toBeDefined();
    const theirs =
      row!['%usr'] + row!['%nice'] + row!['%sys'] + row!['%irq'] + row!['%soft'] + row!['%guest'] + row!['%gnice'];
    const out = new MetricSink();
    deriveCpu(before, after, { dtSeconds, out, config: defaultDeriveConfig });
    const ours = out.get('cpu.utilization')! * 100;
    expect(theirs).toBeGreaterThan(20); // the busy loop is visible to both
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(2);
  });
});
