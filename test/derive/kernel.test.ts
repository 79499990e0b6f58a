import { describe, expect, it } from 'vitest';
import type { KernelSample } from '../../collectors/kernel.js';
import { deriveKernel } from '../../src/derive/kernel.js';
import { type DeriveContext, defaultDeriveConfig, MetricSink } from '../../src/derive/types.js';

function run(prev: KernelSample | undefined, cur: KernelSample): MetricSink {
  const ctx: DeriveContext = { dtSeconds: 2, out: new MetricSink(), config: defaultDeriveConfig };
  deriveKernel(prev, cur, ctx);
  return ctx.out;
}

const HOST: KernelSample = {
  fileNr: { allocated: 17777, unused: 0, max: 2466165 },
  threads: 1143,
  threadsMax: 192729,
  pidMax: 32768,
  sockstat: {
    socketsUsed: 28,
    tcp: { inuse: 7, orphan: 2, tw: 30, alloc: 9, memPages: 191933 },
    udp: { inuse: 0, memPages: 0 },
  },
  tcpMem: { low: 287898, pressure: 383866, high: 575796 },
  conntrack: { count: 65536, max: 262144 },
};

describe('deriveKernel', () => {
  it('derives fd, task, TCP and conntrack use', () => {
    const m = run(undefined, HOST);
    expect(m.get('fd.allocated')).toBe(17777);
    expect(m.get('fd.max')).toBe(2466165);
    expect(m.get('fd.utilization')).toBeCloseTo(17777 / 2466165, 12);
    expect(m.get('tasks.count')).toBe(1143);
    expect(m.get('tasks.limit')).toBe(32768);
    expect(m.get('tasks.utilization')).toBeCloseTo(1143 / 32768, 12);
    expect(m.get('tcp.inuse')).toBe(7);
    expect(m.get('tcp.orphans')).toBe(2);
    expect(m.get('tcp.time_wait')).toBe(30);
    expect(m.get('tcp.mem_utilization')).toBeCloseTo(191933 / 575796, 12);
    expect(m.get('tcp.mem_pressure_ratio')).toBeCloseTo(191933 / 383866, 12);
    expect(m.get('conntrack.entries')).toBe(65536);
    expect(m.get('conntrack.limit')).toBe(262144);
    expect(m.get('conntrack.utilization')).toBe(0.25);
  });

  it('makes file-max LONG_MAX a ratio of about 0, not an error', () => {
    const m = run(undefined, { fileNr: { allocated: 562, unused: 0, max: 9223372036854775807n } });
    expect(m.get('fd.max')).toBe(Number(9223372036854775807n));
    expect(m.get('fd.utilization')).toBeLessThan(1e-15);
  });

  it('sets nothing for sources that are absent (no conntrack module, no pids limit)', () => {
    const m = run(undefined, { ...HOST, conntrack: undefined });
    expect(m.values['conntrack.utilization']).toBeUndefined();
    expect(m.values['tasks.cgroup_utilization']).toBeUndefined();
  });

  it('counts forks rejected by the pids cgroup in the interval, from the second sample on', () => {
    const first = run(undefined, { pids: { current: 100, max: 400, forkRejected: 3 } });
    expect(first.get('tasks.cgroup_utilization')).toBe(0.25);
    expect(first.values['tasks.fork_rejected']).toBeUndefined();
    const m = run(
      { pids: { current: 100, max: 400, forkRejected: 3 } },
      { pids: { current: 400, max: 400, forkRejected: 10 } },
    );
    expect(m.get('tasks.fork_rejected')).toBe(7);
    expect(m.get('tasks.cgroup_utilization')).toBe(1);
  });

  it('has no cgroup utilisation when pids.max is "max"', () => {
    expect(run(undefined, { pids: { current: 100 } }).values['tasks.cgroup_utilization']).toBeUndefined();
  });
});
