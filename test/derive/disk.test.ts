import { describe, expect, it } from 'vitest';
import type { DiskDevice, DiskSample, DiskStats } from '../../collectors/disk.js';
import { deriveDisk, deriveDiskBlockedTasks } from '../../src/derive/disk.js';
import { type DeriveContext, defaultDeriveConfig, MetricSink } from '../../src/derive/types.js';
import { blockedSample } from './cpu-times.js';

const ZERO: Omit<DiskStats, 'name'> = {
  major: 8,
  minor: 0,
  reads: 0,
  readsMerged: 0,
  sectorsRead: 0,
  readMs: 0,
  writes: 0,
  writesMerged: 0,
  sectorsWritten: 0,
  writeMs: 0,
  inflight: 0,
  ioMs: 0,
  weightedMs: 0,
  discards: 0,
  discardsMerged: 0,
  sectorsDiscarded: 0,
  discardMs: 0,
  flushes: 0,
  flushMs: 0,
};

function sample(...devs: [string, Partial<DiskStats>, Partial<Omit<DiskDevice, 'stats'>>?][]): DiskSample {
  return {
    devices: new Map(
      devs.map(([name, stats, extra]) => [name, { physical: true, ...extra, stats: { ...ZERO, name, ...stats } }]),
    ),
  };
}

function run(prev: DiskSample | undefined, cur: DiskSample, dtSeconds = 2): MetricSink {
  const ctx: DeriveContext = { dtSeconds, out: new MetricSink(), config: defaultDeriveConfig };
  deriveDisk(prev, cur, ctx);
  return ctx.out;
}

describe('deriveDisk', () => {
  const before = sample([
    'sda',
    {
      reads: 100,
      sectorsRead: 1000,
      readMs: 50,
      writes: 200,
      sectorsWritten: 4000,
      writeMs: 300,
      ioMs: 1000,
      weightedMs: 5000,
      discards: 10,
      discardMs: 20,
    },
  ]);
  const after = sample([
    'sda',
    {
      reads: 300,
      sectorsRead: 3048,
      readMs: 450,
      writes: 600,
      sectorsWritten: 12192,
      writeMs: 1500,
      ioMs: 2500,
      weightedMs: 9000,
      discards: 10,
      discardMs: 20,
      inflight: 4,
    },
  ]);

  it('computes the iostat -x figures over the interval', () => {
    const out = run(before, after, 2);
    expect(out.get('disk.reads_ps', 'sda')).toBe(100);
    expect(out.get('disk.writes_ps', 'sda')).toBe(200);
    expect(out.get('disk.read_bps', 'sda')).toBe((2048 * 512) / 2);
    expect(out.get('disk.write_bps', 'sda')).toBe((8192 * 512) / 2);
    expect(out.get('disk.utilization', 'sda')).toBe(0.75); // 1500 ms busy of 2000
    expect(out.get('disk.queue_depth', 'sda')).toBe(2); // 4000 ms of request time per 2000 ms
    expect(out.get('disk.r_await_ms', 'sda')).toBe(2); // 400 ms / 200 reads
    expect(out.get('disk.w_await_ms', 'sda')).toBe(3); // 1200 ms / 400 writes
    expect(out.get('disk.await_ms', 'sda')).toBeCloseTo(1600 / 600, 12);
    expect(out.get('disk.inflight', 'sda')).toBe(4);
  });

  it('sets only gauges on the first sample', () => {
    const out = run(undefined, after);
    expect(out.values).toEqual({ 'disk.inflight': { sda: 4 } });
  });

  it('gives 0 await when no I/O completed, as iostat prints', () => {
    const out = run(after, after);
    expect(out.get('disk.await_ms', 'sda')).toBe(0);
    expect(out.get('disk.r_await_ms', 'sda')).toBe(0);
    expect(out.get('disk.utilization', 'sda')).toBe(0);
  });

  it('takes the 32-bit millisecond fields modulo 2^32 across a wrap', () => {
    const near = 2 ** 32 - 500;
    const a = sample(['sda', { reads: 10, ioMs: near, weightedMs: near, readMs: near }]);
    const b = sample(['sda', { reads: 20, ioMs: 500, weightedMs: 1500, readMs: 100 }]);
    const out = run(a, b, 2);
    expect(out.get('disk.utilization', 'sda')).toBe(0.5); // 1000 ms of 2000
    expect(out.get('disk.queue_depth', 'sda')).toBe(1);
    expect(out.get('disk.r_await_ms', 'sda')).toBe(60);
  });

  it('clamps utilization at 1 (io_ticks has jiffy granularity)', () => {
    const out = run(sample(['sda', { ioMs: 0 }]), sample(['sda', { ioMs: 2100 }]), 2);
    expect(out.get('disk.utilization', 'sda')).toBe(1);
  });

  it('gives no rates when the counters went back (device recreated under the same name)', () => {
    const out = run(after, before);
    expect(out.get('disk.reads_ps', 'sda')).toBeUndefined();
    expect(out.get('disk.utilization', 'sda')).toBeUndefined();
    expect(out.get('disk.inflight', 'sda')).toBe(0);
  });

  it('reports error counter increases, and nothing when the sd driver reset them', () => {
    const a = sample(['sda', {}, { ioErrors: 5 }]);
    expect(run(a, sample(['sda', {}, { ioErrors: 8 }])).get('disk.errors', 'sda')).toBe(3);
    expect(run(a, sample(['sda', {}, { ioErrors: 0 }])).get('disk.errors', 'sda')).toBeUndefined();
    expect(run(sample(['vda', {}]), sample(['vda', {}])).get('disk.errors', 'vda')).toBeUndefined();
  });

  it('passes md degraded through as a gauge', () => {
    expect(run(undefined, sample(['md0', {}, { mdDegraded: 1 }])).get('disk.md_degraded', 'md0')).toBe(1);
  });

  it('handles devices appearing and vanishing', () => {
    const a = sample(['sda', { reads: 1 }], ['sdb', { reads: 1 }]);
    const b = sample(['sda', { reads: 3 }], ['sdc', { reads: 7 }]);
    const out = run(a, b, 1);
    expect(out.get('disk.reads_ps', 'sda')).toBe(2);
    expect(out.get('disk.reads_ps', 'sdc')).toBeUndefined();
    expect(out.get('disk.inflight', 'sdc')).toBe(0);
    expect(out.values['disk.inflight']).not.toHaveProperty('sdb');
  });

  it('keeps rates exact for counters beyond 2^53', () => {
    const big = 2n ** 60n;
    const out = run(sample(['sda', { reads: big }]), sample(['sda', { reads: big + 10n }]), 2);
    expect(out.get('disk.reads_ps', 'sda')).toBe(5);
  });
});

describe('deriveDiskBlockedTasks', () => {
  it('passes procs_blocked of /proc/stat through as a host-wide gauge, from the first sample on', () => {
    const ctx: DeriveContext = { dtSeconds: 1, out: new MetricSink(), config: defaultDeriveConfig };
    deriveDiskBlockedTasks(undefined, blockedSample(1), ctx);
    expect(ctx.out.get('disk.blocked_tasks')).toBe(1);
  });

  it('sets nothing on kernels whose /proc/stat has no procs_blocked line', () => {
    const ctx: DeriveContext = { dtSeconds: 1, out: new MetricSink(), config: defaultDeriveConfig };
    deriveDiskBlockedTasks(blockedSample(4), blockedSample(undefined), ctx);
    expect(ctx.out.values['disk.blocked_tasks']).toBeUndefined();
  });
});
