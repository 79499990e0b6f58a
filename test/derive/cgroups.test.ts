import { describe, expect, it } from 'vitest';
import type { CgroupsSample } from '../../collectors/cgroup/sample.js';
import { cgroupEntry, deriveCgroups } from '../../src/derive/cgroups.js';
import { cgroupCounters } from '../../src/derive/counters.js';
import { defaultDeriveConfig, MetricSink } from '../../src/derive/types.js';
import type { HostCounters } from '../../src/model/counters.js';
import { reading } from './cgroup-samples.js';

const WEB = '/system.slice/web.service';
const DB = '/system.slice/db.service';

/** Derives with `cpus` online CPUs set by the cpu family first, as in the engine. */
function derive(prev: CgroupsSample | undefined, cur: CgroupsSample, dtSeconds = 2, cpus = 4): MetricSink {
  const out = new MetricSink();
  out.set('cpu.count', '', cpus);
  deriveCgroups(prev, cur, { dtSeconds, out, config: defaultDeriveConfig });
  return out;
}

const first: CgroupsSample = {
  cgroups: [
    reading(WEB, {
      cpuUsageUsec: 10_000_000,
      nrPeriods: 1000,
      nrThrottled: 100,
      throttledUsec: 5_000_000,
      cpuQuotaUsec: 50_000,
      cpuPeriodUsec: 100_000,
      memoryCurrentBytes: 600 * 2 ** 20,
      inactiveFileBytes: 100 * 2 ** 20,
      memoryMaxBytes: 1024 * 2 ** 20,
      memoryHighBytes: 800 * 2 ** 20,
      memoryHighEvents: 3,
      memoryMaxEvents: 1,
      oomKills: 0,
      ioReadBytes: 2n ** 60n,
      ioWriteBytes: 0,
      ioReads: 10,
      ioWrites: 20,
      pidsCurrent: 40,
      pidsMax: 50,
      pidsMaxEvents: 7,
      cpuPressure: { someUsec: 1_000_000 },
      memoryPressure: { someUsec: 0, fullUsec: 0 },
      ioPressure: { someUsec: 0, fullUsec: 0 },
    }),
    reading(DB, { cpuUsageUsec: 5_000_000, memoryCurrentBytes: 1000 }),
  ],
};

const second: CgroupsSample = {
  cgroups: [
    reading(WEB, {
      ...first.cgroups[0],
      cpuUsageUsec: 10_900_000, // 0.9 s in 2 s: 0.45 CPUs, 90 % of its half-CPU quota
      nrPeriods: 1020,
      nrThrottled: 110, // 10 of 20 periods
      throttledUsec: 5_400_000,
      memoryCurrentBytes: 700 * 2 ** 20,
      memoryHighEvents: 5,
      memoryMaxEvents: 1,
      oomKills: 1,
      ioReadBytes: 2n ** 60n + 4096n, // exact beyond 2^53
      ioWriteBytes: 8192,
      ioReads: 12,
      ioWrites: 24,
      pidsCurrent: 45,
      pidsMaxEvents: 9,
      cpuPressure: { someUsec: 1_500_000 },
      memoryPressure: { someUsec: 200_000, fullUsec: 100_000 },
      ioPressure: { someUsec: 4_000_000, fullUsec: 0 },
    }),
    reading(DB, { cpuUsageUsec: 4_000_000, memoryCurrentBytes: 2000 }), // counter went backwards: recreated
    reading('/system.slice/new.service', { cpuUsageUsec: 1_000_000, memoryCurrentBytes: 3000 }),
  ],
};

describe('cgroup metrics', () => {
  it('sets gauges on the first sample and no rates', () => {
    const out = derive(undefined, first);
    expect(out.get('cgroup.memory.used', WEB)).toBe(600 * 2 ** 20);
    expect(out.get('cgroup.memory.working_set', WEB)).toBe(500 * 2 ** 20);
    // against the lower limit, memory.high
    expect(out.get('cgroup.memory.utilization', WEB)).toBe(500 / 800);
    expect(out.get('cgroup.pids.current', WEB)).toBe(40);
    expect(out.get('cgroup.pids.utilization', WEB)).toBe(0.8);
    expect(out.get('cgroup.cpu.usage', WEB)).toBeUndefined();
    expect(out.get('cgroup.memory.oom_kills', WEB)).toBeUndefined();
    expect(out.get('cgroup.memory.utilization', DB)).toBeUndefined(); // no limit
  });

  it('turns two samples into rates, ratios and interval counts with exact 64-bit deltas', () => {
    const out = derive(first, second);
    expect(out.get('cgroup.cpu.usage', WEB)).toBeCloseTo(0.45, 10);
    expect(out.get('cgroup.cpu.utilization', WEB)).toBeCloseTo(0.9, 10);
    expect(out.get('cgroup.cpu.throttled', WEB)).toBe(0.5);
    expect(out.get('cgroup.cpu.throttled_time', WEB)).toBeCloseTo(0.2, 10);
    expect(out.get('cgroup.cpu.pressure', WEB)).toBe(0.25);
    expect(out.get('cgroup.memory.pressure', WEB)).toBe(0.1);
    expect(out.get('cgroup.io.pressure', WEB)).toBe(1); // 4 s stalled in 2 s: timer skew, capped
    expect(out.get('cgroup.memory.high_events', WEB)).toBe(2);
    expect(out.get('cgroup.memory.max_events', WEB)).toBe(0);
    expect(out.get('cgroup.memory.oom_kills', WEB)).toBe(1);
    expect(out.get('cgroup.io.read_bps', WEB)).toBe(2048);
    expect(out.get('cgroup.io.write_bps', WEB)).toBe(4096);
    expect(out.get('cgroup.io.ops_ps', WEB)).toBe(3);
    expect(out.get('cgroup.pids.fork_failures', WEB)).toBe(2);
    expect(out.get('cgroup.pids.utilization', WEB)).toBe(0.9);
  });

  it('without a quota shares usage over the online CPUs; a quota above them is capped to them', () => {
    const noQuota = { cgroups: [reading(WEB, { cpuUsageUsec: 0 })] };
    const busy = { cgroups: [reading(WEB, { cpuUsageUsec: 3_000_000 })] };
    expect(derive(noQuota, busy, 1, 4).get('cgroup.cpu.utilization', WEB)).toBe(0.75);
    const big = (usec: number) => ({
      cgroups: [reading(WEB, { cpuUsageUsec: usec, cpuQuotaUsec: 800_000, cpuPeriodUsec: 100_000 })],
    });
    expect(derive(big(0), big(3_000_000), 1, 4).get('cgroup.cpu.utilization', WEB)).toBe(0.75);
  });

  it('gives no rate to a cgroup that appeared this tick or whose counters went backwards', () => {
    const out = derive(first, second);
    expect(out.get('cgroup.cpu.usage', DB)).toBeUndefined();
    expect(out.get('cgroup.cpu.usage', '/system.slice/new.service')).toBeUndefined();
    expect(out.get('cgroup.memory.used', '/system.slice/new.service')).toBe(3000);
  });

  it('reads a cgroup without enforcement periods in the interval as not throttled, so that a finding can clear', () => {
    const idle = { cgroups: [reading(WEB, { nrPeriods: 5, nrThrottled: 3 })] };
    expect(derive(idle, idle).get('cgroup.cpu.throttled', WEB)).toBe(0);
    const noQuota = { cgroups: [reading(WEB, {})] };
    expect(derive(noQuota, noQuota).get('cgroup.cpu.throttled', WEB)).toBeUndefined();
  });
});

describe('cgroup entries', () => {
  it('say who the cgroup is and its limits, with hostile names made safe and bounded', () => {
    const r = reading('/system.slice/docker-3f2a.scope', {
      identity: {
        id: '/system.slice/docker-3f2a.scope',
        kind: 'container',
        name: 'web\x1b]0;pwned\x07\nshop',
        runtime: 'docker',
        container: 'x'.repeat(300),
      },
      cpuQuotaUsec: 150_000,
      cpuPeriodUsec: 100_000,
      memoryMaxBytes: 2 ** 30,
      pidsMax: 100,
      processes: 4,
    });
    const e = cgroupEntry(r);
    expect(e).toMatchObject({
      id: '/system.slice/docker-3f2a.scope',
      name: 'web shop',
      kind: 'container',
      runtime: 'docker',
      cpuLimit: 1.5,
      memoryMaxBytes: 2 ** 30,
      pidsMax: 100,
      processes: 4,
    });
    expect([...(e.container ?? '')]).toHaveLength(64);
    expect(e.container?.endsWith('…')).toBe(true);
    expect(e.memoryHighBytes).toBeUndefined();
  });
});

describe('cgroup counters', () => {
  it('are cumulative in seconds and bytes, one row per cgroup read', () => {
    const into: HostCounters = {};
    cgroupCounters(second, into);
    expect(into.cgroups?.map((c) => c.id)).toEqual([WEB, DB, '/system.slice/new.service']);
    expect(into.cgroups?.[0]).toMatchObject({
      cpuUsageSeconds: 10.9,
      cfsPeriods: 1020,
      cfsThrottledPeriods: 110,
      cfsThrottledSeconds: 5.4,
      memoryUsageBytes: 700 * 2 ** 20,
      memoryWorkingSetBytes: 600 * 2 ** 20,
      memoryLimitBytes: 2 ** 30,
      oomKills: 1,
      ioReadBytes: Number(2n ** 60n + 4096n),
      ioWriteBytes: 8192,
      ioReads: 12,
      ioWrites: 24,
      pids: 45,
      pidsLimit: 50,
      pressureSeconds: { cpu: { some: 1.5 }, memory: { some: 0.2, full: 0.1 }, io: { some: 4, full: 0 } },
    });
    expect(into.cgroups?.[1].pressureSeconds).toBeUndefined();
  });
});
