import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type MemorySample, parseMeminfo, type VmstatCounters } from '../../collectors/memory.js';
import { deriveMemory } from '../../src/derive/memory.js';
import { type DeriveContext, defaultDeriveConfig, MetricSink } from '../../src/derive/types.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const meminfo = (tree: string) => parseMeminfo(readFileSync(join(fixtures, tree, 'proc/meminfo'), 'latin1'));

const VM: VmstatCounters = {
  pswpin: 0,
  pswpout: 0,
  pgpgin: 0,
  pgpgout: 0,
  pgmajfault: 0,
  pgscanKswapd: 0,
  pgscanDirect: 0,
  allocstall: 0,
  oomKill: 0,
};

function sample(tree: string, vm: Partial<VmstatCounters> = {}, edac?: MemorySample['edac']): MemorySample {
  return { meminfo: meminfo(tree), vmstat: { ...VM, ...vm }, edac, pageSize: 4096 };
}

function run(prev: MemorySample | undefined, cur: MemorySample, dtSeconds = 2): MetricSink {
  const ctx: DeriveContext = { dtSeconds, out: new MetricSink(), config: defaultDeriveConfig };
  deriveMemory(prev, cur, ctx);
  return ctx.out;
}

describe('deriveMemory', () => {
  it('derives capacity gauges from the host meminfo, without swap metrics beyond used = 0', () => {
    const m = run(undefined, sample('host'));
    expect(m.get('memory.total_bytes')).toBe(24683656 * 1024);
    expect(m.get('memory.available_bytes')).toBe(23894360 * 1024);
    expect(m.get('memory.used_bytes')).toBe((24683656 - 23894360) * 1024);
    expect(m.get('memory.utilization')).toBeCloseTo(1 - 23894360 / 24683656, 12);
    expect(m.get('memory.free_bytes')).toBe(23875924 * 1024);
    expect(m.get('memory.buffers_bytes')).toBe(4476 * 1024);
    expect(m.get('memory.cached_bytes')).toBe(187348 * 1024);
    expect(m.get('memory.swap_used_bytes')).toBe(0);
    expect(m.values['memory.swap_utilization']).toBeUndefined();
    expect(m.values['memory.swap_in_bps']).toBeUndefined();
  });

  it('falls back to MemFree + Buffers + Cached + SReclaimable before MemAvailable existed', () => {
    const m = run(undefined, sample('old-kernel'));
    expect(m.get('memory.available_bytes')).toBe(440000 * 1024);
    expect(m.get('memory.utilization')).toBeCloseTo(0.56, 12);
  });

  it('sets swap use and hardware-corrupted memory where present', () => {
    const m = run(undefined, sample('server'));
    expect(m.get('memory.swap_utilization')).toBeCloseTo(1 - 1572860 / 2097148, 12);
    expect(m.get('memory.swap_used_bytes')).toBe((2097148 - 1572860) * 1024);
    expect(m.get('memory.hardware_corrupted_bytes')).toBe(8192);
  });

  it('turns vmstat counters into rates: pages × page size for swap, KiB for paging', () => {
    const prev = sample('host', { pswpin: 100, pswpout: 0, pgpgin: 1000, pgpgout: 0, oomKill: 2 });
    const cur = sample('host', {
      pswpin: 300,
      pswpout: 10,
      pgpgin: 3000,
      pgpgout: 2,
      pgmajfault: 1000,
      pgscanKswapd: 50,
      pgscanDirect: 8,
      allocstall: 4,
      oomKill: 3,
    });
    const m = run(prev, cur);
    expect(m.get('memory.swap_in_bps')).toBe(100 * 4096);
    expect(m.get('memory.swap_out_bps')).toBe(5 * 4096);
    expect(m.get('memory.page_in_bps')).toBe(1000 * 1024);
    expect(m.get('memory.page_out_bps')).toBe(1024);
    expect(m.get('memory.major_faults_ps')).toBe(500);
    expect(m.get('memory.scan_kswapd_ps')).toBe(25);
    expect(m.get('memory.scan_direct_ps')).toBe(4);
    expect(m.get('memory.allocstall_ps')).toBe(2);
    expect(m.get('memory.oom_kills')).toBe(1);
  });

  it('has no rates on the first sample, and none across a counter reset', () => {
    expect(run(undefined, sample('host', { pgmajfault: 10 })).values['memory.major_faults_ps']).toBeUndefined();
    const m = run(sample('host', { pgmajfault: 10 }), sample('host', { pgmajfault: 5 }));
    expect(m.values['memory.major_faults_ps']).toBeUndefined();
    expect(m.get('memory.page_in_bps')).toBe(0);
  });

  it('sets no OOM count on kernels without oom_kill', () => {
    const m = run(sample('old-kernel', { oomKill: undefined }), sample('old-kernel', { oomKill: undefined }));
    expect(m.values['memory.oom_kills']).toBeUndefined();
  });

  it('counts EDAC errors in the interval, exact beyond 2^53', () => {
    const big = 2n ** 60n;
    const m = run(
      sample('server', {}, { corrected: big, uncorrected: 1 }),
      sample('server', {}, { corrected: big + 3n, uncorrected: 1 }),
    );
    expect(m.get('memory.edac_corrected')).toBe(3);
    expect(m.get('memory.edac_uncorrected')).toBe(0);
  });
});
