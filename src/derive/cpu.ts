import type { CpuSample, CpuTimes, SchedStat } from '../../collectors/cpu.js';
import type { PressureSample } from '../../collectors/pressure.js';
import { counterDelta, counterRate } from './counter.js';
import { stallShare } from './pressure.js';
import type { Deriver, MetricSink } from './types.js';

const BUSY_MODES = ['user', 'nice', 'system', 'irq', 'softirq'] as const;
const SHARE_MODES = ['user', 'nice', 'system', 'iowait', 'irq', 'softirq', 'idle', 'steal'] as const;

type ModeDelta = Record<(typeof SHARE_MODES)[number], number>;

/**
 * Per-mode increase of one CPU line, or undefined when the line went backwards. A CPU brought back
 * online restarts idle from 0 while user and system keep counting, so its first interval is skipped
 * rather than reported as 100% busy. iowait alone may legitimately decrease (kernel doc): clamped to 0.
 */
function modeDelta(prev: CpuTimes, cur: CpuTimes): ModeDelta | undefined {
  const d = {} as ModeDelta;
  for (const mode of SHARE_MODES) {
    const x = cur[mode] - prev[mode];
    if (x < 0 && mode !== 'iowait') return undefined;
    d[mode] = Math.max(0, x);
  }
  return d;
}

function total(d: ModeDelta): number {
  let t = 0;
  for (const mode of SHARE_MODES) t += d[mode];
  return t;
}

/** Busy share excluding steal and iowait; a CPU whose counters did not move was idle. */
function busyShare(d: ModeDelta): number {
  const t = total(d);
  if (t === 0) return 0;
  let busy = 0;
  for (const mode of BUSY_MODES) busy += d[mode];
  return busy / t;
}

/**
 * Mean number of tasks waiting for a CPU over the interval: Σ Δrun_delay over the CPUs in both
 * samples, per second. Undefined when a CPU's counter went backwards: the interval has no valid delta.
 */
function waitingTasks(prev: SchedStat, cur: SchedStat, dtSeconds: number): number | undefined {
  if (!(dtSeconds > 0)) return undefined;
  let ns = 0;
  for (const [cpu, delay] of cur.runDelayNs) {
    const before = prev.runDelayNs.get(cpu);
    if (before === undefined) continue;
    const d = counterDelta(before, delay);
    if (d === undefined) return undefined;
    ns += d;
  }
  return ns / 1e9 / dtSeconds;
}

/**
 * Sets cpu.run_delay and cpu.run_delay_per_cpu. The waiting is the whole host's (every CPU's
 * counters, or every visible task's), so it is shared over the online CPUs (cpu.count, set first by
 * deriveCpu), not over the agent's own cgroup quota: a unit limited to a fifth of a CPU would
 * otherwise read five times the host's saturation.
 */
export function setRunDelay(out: MetricSink, waiting: number | undefined): void {
  if (waiting === undefined) return;
  out.set('cpu.run_delay', '', waiting);
  const online = out.get('cpu.count');
  if (online) out.set('cpu.run_delay_per_cpu', '', waiting / online);
}

export const deriveCpu: Deriver<CpuSample> = (prev, cur, { dtSeconds, out }) => {
  const { stat, loadavg, quota } = cur;
  const online = stat.cpus.size;
  const capacity = online === 0 ? undefined : quota ? Math.min(online, quota.quotaUs / quota.periodUs) : online;
  out.set('cpu.count', '', online);
  out.set('cpu.capacity', '', capacity);
  if (stat.procsRunning !== undefined) {
    const running = Math.max(0, stat.procsRunning - 1);
    out.set('cpu.procs_running', '', running);
    if (capacity) out.set('cpu.runqueue_per_cpu', '', running / capacity);
  }
  if (loadavg) {
    out.set('cpu.load1', '', loadavg.load1);
    out.set('cpu.load5', '', loadavg.load5);
    out.set('cpu.load15', '', loadavg.load15);
    if (capacity) out.set('cpu.load1_per_cpu', '', loadavg.load1 / capacity);
  }
  if (prev === undefined) return;

  out.set('cpu.context_switches_ps', '', counterRate(prev.stat.ctxt, stat.ctxt, dtSeconds));
  out.set('cpu.interrupts_ps', '', counterRate(prev.stat.intr, stat.intr, dtSeconds));
  if (prev.schedstat && cur.schedstat) setRunDelay(out, waitingTasks(prev.schedstat, cur.schedstat, dtSeconds));

  const all = modeDelta(prev.stat.total, stat.total);
  const allTotal = all === undefined ? 0 : total(all);
  if (all !== undefined) {
    out.set('cpu.utilization', '', busyShare(all));
    if (allTotal > 0) for (const mode of SHARE_MODES) out.set(`cpu.${mode}`, '', all[mode] / allTotal);
  }

  let max = -1;
  let sum = 0;
  let n = 0;
  for (const [name, times] of stat.cpus) {
    const before = prev.stat.cpus.get(name);
    const d = before === undefined ? undefined : modeDelta(before, times);
    if (d === undefined) continue;
    const share = busyShare(d);
    out.set('cpu.core_utilization', name, share);
    max = Math.max(max, share);
    sum += share;
    n++;
  }
  if (n > 0) {
    out.set('cpu.max_core_utilization', '', max);
    out.set('cpu.imbalance', '', max - sum / n);
  }
};

/** CPU and IRQ pressure stall shares from /proc/pressure/cpu and /proc/pressure/irq. */
export const deriveCpuPressure: Deriver<PressureSample> = (prev, cur, { dtSeconds, out }) => {
  if (prev === undefined) return;
  out.set('cpu.psi_some', '', stallShare(prev.cpu?.some, cur.cpu?.some, dtSeconds));
  out.set('cpu.psi_irq_full', '', stallShare(prev.irq?.full, cur.irq?.full, dtSeconds));
};
