import { describe, expect, it } from 'vitest';
import type { CpuSample, CpuTimes } from '../../collectors/cpu.js';
import { deriveCpu } from '../../src/derive/cpu.js';
import { deriveTaskForks } from '../../src/derive/kernel.js';
import { type DeriveContext, defaultDeriveConfig, MetricSink } from '../../src/derive/types.js';
import { times } from './cpu-times.js';

function sample(
  total: Partial<CpuTimes>,
  cpus: Record<string, Partial<CpuTimes>>,
  extra: Partial<CpuSample['stat']> = {},
  rest: Omit<CpuSample, 'stat'> = {},
): CpuSample {
  return {
    stat: {
      total: times(total),
      cpus: new Map(Object.entries(cpus).map(([name, t]) => [name, times(t)])),
      procsRunning: 3,
      procsBlocked: 1,
      ctxt: 1000,
      intr: 500,
      processes: 40,
      ...extra,
    },
    ...rest,
  };
}

function run(prev: CpuSample | undefined, cur: CpuSample, dtSeconds = 2): MetricSink {
  const ctx: DeriveContext = { dtSeconds, out: new MetricSink(), config: defaultDeriveConfig };
  deriveCpu(prev, cur, ctx);
  return ctx.out;
}

const before = sample(
  { user: 100, system: 50, idle: 800, iowait: 50 },
  { cpu0: { user: 50, idle: 400 }, cpu1: { user: 50, idle: 400 } },
);

describe('deriveCpu', () => {
  it('computes utilisation without steal and iowait, and each mode share, on known numbers', () => {
    const after = sample(
      { user: 130, system: 60, idle: 840, iowait: 60, softirq: 5, steal: 5, guest: 20 },
      { cpu0: { user: 90, idle: 410 }, cpu1: { user: 60, idle: 440 } },
    );
    const m = run(before, after);
    // Δ: user 30 system 10 idle 40 iowait 10 softirq 5 steal 5 = 100 ticks (guest is inside user, not added)
    expect(m.get('cpu.utilization')).toBeCloseTo(0.45);
    expect(m.get('cpu.user')).toBeCloseTo(0.3);
    expect(m.get('cpu.system')).toBeCloseTo(0.1);
    expect(m.get('cpu.idle')).toBeCloseTo(0.4);
    expect(m.get('cpu.iowait')).toBeCloseTo(0.1);
    expect(m.get('cpu.softirq')).toBeCloseTo(0.05);
    expect(m.get('cpu.steal')).toBeCloseTo(0.05);
    expect(m.get('cpu.core_utilization', 'cpu0')).toBeCloseTo(0.8);
    expect(m.get('cpu.core_utilization', 'cpu1')).toBeCloseTo(0.2);
    expect(m.get('cpu.max_core_utilization')).toBeCloseTo(0.8);
    expect(m.get('cpu.imbalance')).toBeCloseTo(0.3);
  });

  it('sets rates of ctxt, intr and forks per second', () => {
    const after = sample({ user: 110, idle: 810 }, {}, { ctxt: 3000, intr: 900, processes: 50 });
    const m = run(before, after);
    expect(m.get('cpu.context_switches_ps')).toBe(1000);
    expect(m.get('cpu.interrupts_ps')).toBe(200);
    // tasks.* are derived in src/derive/kernel.ts, from the same /proc/stat sample.
    const ctx: DeriveContext = { dtSeconds: 2, out: new MetricSink(), config: defaultDeriveConfig };
    deriveTaskForks(before, after, ctx);
    expect(ctx.out.get('tasks.forks_ps')).toBe(5);
  });

  it('sets gauges but no rates or shares on the first sample', () => {
    const m = run(
      undefined,
      sample(
        { user: 1 },
        { cpu0: {}, cpu1: {} },
        {},
        {
          loadavg: { load1: 3, load5: 2, load15: 1, running: 2, threads: 100, lastPid: 9 },
        },
      ),
    );
    expect(m.values['cpu.utilization']).toBeUndefined();
    expect(m.values['cpu.core_utilization']).toBeUndefined();
    expect(m.values['cpu.context_switches_ps']).toBeUndefined();
    expect(m.get('cpu.count')).toBe(2);
    expect(m.get('cpu.capacity')).toBe(2);
    expect(m.get('cpu.procs_running')).toBe(2);
    expect(m.get('cpu.runqueue_per_cpu')).toBe(1);
    expect(m.get('cpu.load1')).toBe(3);
    expect(m.get('cpu.load1_per_cpu')).toBe(1.5);
  });

  it('lowers capacity to a cgroup quota and divides saturation by it', () => {
    const m = run(
      undefined,
      sample(
        {},
        { cpu0: {}, cpu1: {} },
        { procsRunning: 2 },
        {
          quota: { quotaUs: 50000, periodUs: 100000 },
          loadavg: { load1: 1, load5: 1, load15: 1, running: 1, threads: 10, lastPid: 1 },
        },
      ),
    );
    expect(m.get('cpu.capacity')).toBe(0.5);
    expect(m.get('cpu.runqueue_per_cpu')).toBe(2);
    expect(m.get('cpu.load1_per_cpu')).toBe(2);
  });

  it('never shows a negative running count (the reader counts itself)', () => {
    expect(run(undefined, sample({}, { cpu0: {} }, { procsRunning: 0 })).get('cpu.procs_running')).toBe(0);
  });

  it('gives no rate across a counter reset', () => {
    const m = run(before, sample({ user: 110, idle: 810 }, {}, { ctxt: 10 }));
    expect(m.values['cpu.context_switches_ps']).toBeUndefined();
    expect(m.get('cpu.interrupts_ps')).toBe(0);
  });

  it('skips a CPU that came back online with idle restarted, and counts an unmoved CPU as idle', () => {
    const after = sample(
      { user: 150, system: 50, idle: 850, iowait: 50 },
      { cpu0: { user: 50, idle: 400 }, cpu1: { user: 90, idle: 5 } },
    );
    const m = run(before, after);
    expect(m.values['cpu.core_utilization']).toEqual({ cpu0: 0 });
    expect(m.get('cpu.max_core_utilization')).toBe(0);
  });

  it('clamps an iowait decrease to 0 instead of skipping the CPU', () => {
    const m = run(sample({ user: 100, idle: 100, iowait: 50 }, {}), sample({ user: 150, idle: 150, iowait: 40 }, {}));
    expect(m.get('cpu.utilization')).toBe(0.5);
    expect(m.get('cpu.iowait')).toBe(0);
  });

  it('drops an offline CPU and starts a new one without a share', () => {
    const after = sample(
      { user: 110, system: 50, idle: 810, iowait: 50 },
      { cpu0: { user: 60, idle: 410 }, cpu2: { user: 10, idle: 10 } },
    );
    const m = run(before, after);
    expect(m.values['cpu.core_utilization']).toEqual({ cpu0: 0.5 });
    expect(m.get('cpu.count')).toBe(2);
  });

  it('run delay: tasks waiting per second of the interval from /proc/schedstat, per effective CPU', () => {
    const cpus = { cpu0: { user: 50, idle: 400 }, cpu1: { user: 50, idle: 400 } };
    const sched = (cpu0: number, cpu1: number) => ({
      schedstat: {
        version: 17,
        runDelayNs: new Map<string, number | bigint>([
          ['cpu0', cpu0],
          ['cpu1', cpu1],
        ]),
      },
    });
    const first = sample({}, cpus, {}, sched(10e9, 20e9));
    // 2 s: cpu0 waited 3 s of task time, cpu1 1 s: 2 tasks waiting on average, 1 per CPU.
    const m = run(first, sample({}, cpus, {}, sched(13e9, 21e9)), 2);
    expect(m.get('cpu.run_delay')).toBe(2);
    expect(m.get('cpu.run_delay_per_cpu')).toBe(1);
    expect(run(undefined, first).get('cpu.run_delay')).toBeUndefined();
    // A counter that went backwards gives no value for the interval, never a negative one.
    expect(run(first, sample({}, cpus, {}, sched(9e9, 21e9))).get('cpu.run_delay')).toBeUndefined();
    // The agent in a cgroup limited to half a CPU: the host's waiting is still shared over its 2 CPUs.
    const quota = { quota: { quotaUs: 50_000, periodUs: 100_000 } };
    const q = run(
      sample({}, cpus, {}, { ...sched(10e9, 20e9), ...quota }),
      sample({}, cpus, {}, { ...sched(13e9, 21e9), ...quota }),
    );
    expect(q.get('cpu.capacity')).toBe(0.5);
    expect(q.get('cpu.run_delay_per_cpu')).toBe(1);
  });
});
