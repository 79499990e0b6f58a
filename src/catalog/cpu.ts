import { kernelLogMetric, metricsOf, pressureMetric } from './define.js';

const stat = '/proc/stat';
const busy = 'Δ(user+nice+system+irq+softirq) / Δ(user+nice+system+idle+iowait+irq+softirq+steal)';

const cpu = metricsOf('cpu', 'host');
/** One CPU: instance cpuN. */
const core = metricsOf('cpu', 'cpu');

/** The share of one mode of the /proc/stat cpu line (cpu.user for user, …). */
function mode<const M extends string>(field: M) {
  return cpu({
    name: `cpu.${field}`,
    unit: 'ratio',
    description: `Share of CPU time in ${field} mode, all CPUs`,
    source: `${stat} cpu line`,
    formula: `Δ${field} / Δtotal (guest is inside user, guest_nice inside nice)`,
  });
}

/**
 * Derived in src/derive/cpu.ts, except the kernel-log count (src/derive/kmsg.ts); cpu.run_delay is
 * summed over processes by src/derive/processes.ts where /proc/schedstat lacks it.
 */
export const cpuMetrics = [
  cpu({
    name: 'cpu.utilization',
    unit: 'ratio',
    description: 'CPU busy share, all CPUs (steal and iowait count as not busy, as node-mixin does)',
    source: `${stat} cpu line`,
    formula: busy,
  }),
  core({
    name: 'cpu.core_utilization',
    unit: 'ratio',
    description: 'CPU busy share of one CPU (instance cpuN)',
    source: `${stat} cpuN lines`,
    formula: busy,
  }),
  cpu({
    name: 'cpu.max_core_utilization',
    unit: 'ratio',
    description: 'Busy share of the busiest CPU',
    source: `${stat} cpuN lines`,
    formula: 'max over CPUs of cpu.core_utilization',
  }),
  cpu({
    name: 'cpu.imbalance',
    unit: 'ratio',
    description: 'How far the busiest CPU is above the mean: a single hot CPU (single-threaded work, pinned IRQ)',
    source: `${stat} cpuN lines`,
    formula: 'max(cpu.core_utilization) − mean(cpu.core_utilization)',
  }),
  mode('user'),
  mode('nice'),
  mode('system'),
  mode('iowait'),
  mode('irq'),
  mode('softirq'),
  mode('idle'),
  cpu({
    name: 'cpu.steal',
    unit: 'ratio',
    description: 'Share of time the hypervisor ran something else while this guest wanted the CPU',
    source: `${stat} cpu line`,
    formula: 'Δsteal / Δtotal',
  }),
  cpu({
    name: 'cpu.count',
    unit: 'cpus',
    description: 'Online CPUs (cpuN lines of /proc/stat)',
    source: stat,
    formula: 'count of cpuN lines',
  }),
  cpu({
    name: 'cpu.capacity',
    unit: 'cpus',
    description: 'Effective CPUs: online CPUs, lowered by a cgroup CPU quota when one is set',
    source: `${stat}; /sys/fs/cgroup/cpu.max or cpu.cfs_quota_us / cpu.cfs_period_us`,
    formula: 'min(online CPUs, quota / period)',
  }),
  cpu({
    name: 'cpu.procs_running',
    unit: 'threads',
    description: 'Runnable threads right now, the agent itself excluded (vmstat r)',
    source: `${stat} procs_running`,
    formula: 'procs_running − 1 (the reading thread counts itself)',
  }),
  cpu({
    name: 'cpu.runqueue_per_cpu',
    unit: 'ratio',
    canExceedOne: true,
    description:
      'Runnable threads per effective CPU at the instant of the read (vmstat r); one sample, so rules use cpu.run_delay_per_cpu',
    source: `${stat} procs_running`,
    formula: '(procs_running − 1) / cpu.capacity',
  }),
  cpu({
    name: 'cpu.run_delay',
    unit: 'threads',
    description:
      'Mean number of tasks waiting for a CPU over the interval (runnable, not running: the agent reading is not counted). Without CONFIG_SCHEDSTATS, summed over processes: every thread of those that ran or had threads waiting on the tick before (up to 1024 thread reads a tick), the main thread of the others. A quiet thread of a busy process (it neither ran nor waited between its last two reads) is read every 10th tick, its wait then counted in full: late, not lost',
    source:
      '/proc/schedstat cpuN field 8 (run_delay, ns); without it /proc/<pid>/task/<tid>/schedstat field 2 (run_delay of each thread, ns) of busy multi-threaded processes and /proc/<pid>/schedstat field 2 (the main thread) of the rest',
    formula: 'Σ over CPUs Δrun_delay / Δt (else Σ over processes Δrun_delay / Δt)',
  }),
  cpu({
    name: 'cpu.run_delay_per_cpu',
    unit: 'ratio',
    canExceedOne: true,
    description:
      "Tasks waiting for a CPU per online CPU, averaged over the interval; 100% = on average one task waits behind each CPU. The host's waiting over the host's CPUs: the agent's own cgroup quota does not enter",
    source: 'cpu.run_delay (/proc/schedstat, else the threads of each process); cpuN lines of /proc/stat',
    formula: 'cpu.run_delay / cpu.count',
  }),
  pressureMetric(
    'cpu.psi_some',
    'cpu',
    'cpu',
    'some',
    'Share of time at least one task was stalled waiting for a CPU (PSI)',
  ),
  pressureMetric(
    'cpu.psi_irq_full',
    'cpu',
    'irq',
    'full',
    'Share of time all tasks were stalled by IRQ handling (PSI irq, kernel 6.1+)',
  ),
  cpu({
    name: 'cpu.context_switches_ps',
    unit: 'per_s',
    description: 'Context switches per second (vmstat cs)',
    source: `${stat} ctxt`,
    formula: 'Δctxt / Δt',
  }),
  cpu({
    name: 'cpu.interrupts_ps',
    unit: 'per_s',
    description: 'Interrupts per second (vmstat in)',
    source: `${stat} intr (first column)`,
    formula: 'Δintr / Δt',
  }),
  cpu({
    name: 'cpu.load1',
    unit: 'threads',
    description: 'Load average over 1 minute (includes tasks in D state)',
    source: '/proc/loadavg field 1',
    formula: 'as read',
  }),
  cpu({
    name: 'cpu.load5',
    unit: 'threads',
    description: 'Load average over 5 minutes',
    source: '/proc/loadavg field 2',
    formula: 'as read',
  }),
  cpu({
    name: 'cpu.load15',
    unit: 'threads',
    description: 'Load average over 15 minutes',
    source: '/proc/loadavg field 3',
    formula: 'as read',
  }),
  cpu({
    name: 'cpu.load1_per_cpu',
    unit: 'ratio',
    canExceedOne: true,
    description: 'Load average over 1 minute per effective CPU (node-mixin NodeSystemSaturation)',
    source: '/proc/loadavg field 1',
    formula: 'load1 / cpu.capacity',
  }),
  kernelLogMetric(
    'cpu.machine_check_events',
    'cpu',
    'Machine check / hardware error records in the kernel log',
    '"Machine check", "mce:", "Hardware Error"',
  ),
];
