import { metricsOf } from './define.js';

const cpu = metricsOf('cpu', 'cgroup');
const memory = metricsOf('memory', 'cgroup');
const disk = metricsOf('disk', 'cgroup');
const tasks = metricsOf('tasks', 'cgroup');

/**
 * Per workload cgroup (systemd service or scope, container, pod), instance = the cgroup's path below
 * the hierarchy root. v2 file names; on v1 and hybrid hosts the v1 equivalents named in `source`.
 * Set by src/derive/cgroups.ts for the cgroups the collector reads (docs/cgroups.md).
 */
export const cgroupMetrics = [
  cpu({
    name: 'cgroup.cpu.usage',
    unit: 'cpus',
    description: 'CPU time used by the cgroup in the interval, in CPUs (1 = one full CPU)',
    source: 'cpu.stat usage_usec (v1 cpuacct.usage)',
    formula: 'Δusage_usec / Δt_µs',
  }),
  cpu({
    name: 'cgroup.cpu.utilization',
    unit: 'ratio',
    description: "CPU used against the cgroup's CPU quota, or against the host's CPUs without a quota",
    source: 'cpu.stat usage_usec; cpu.max (v1 cpu.cfs_quota_us / cpu.cfs_period_us)',
    formula: 'cgroup.cpu.usage / min(quota / period, online CPUs), else / online CPUs (at most 1)',
  }),
  cpu({
    name: 'cgroup.cpu.throttled',
    unit: 'ratio',
    description: 'Share of CFS enforcement periods in which the cgroup was throttled by its CPU quota',
    source: 'cpu.stat nr_periods, nr_throttled',
    formula: 'Δnr_throttled / Δnr_periods (0 without periods in the interval: the cgroup did not run)',
  }),
  cpu({
    name: 'cgroup.cpu.throttled_time',
    unit: 'ratio',
    canExceedOne: true,
    description: "Time the cgroup's threads were held back by its CPU quota, per second of the interval",
    source: 'cpu.stat throttled_usec (v1 cpu.stat throttled_time)',
    formula: 'Δthrottled_usec / Δt_µs',
  }),
  cpu({
    name: 'cgroup.cpu.pressure',
    unit: 'ratio',
    description: 'Share of time some of the cgroup\'s tasks waited for a CPU (PSI "some")',
    source: 'cpu.pressure some total',
    formula: 'Δtotal_µs / Δt_µs',
  }),
  memory({
    name: 'cgroup.memory.used',
    unit: 'bytes',
    description: 'Memory charged to the cgroup, page cache included',
    source: 'memory.current (v1 memory.usage_in_bytes)',
    formula: 'memory.current',
  }),
  memory({
    name: 'cgroup.memory.working_set',
    unit: 'bytes',
    description: "Memory the cgroup cannot give back without paging: cAdvisor's working set",
    source: 'memory.current, memory.stat inactive_file (v1 total_inactive_file)',
    formula: 'memory.current − inactive_file (0 at least)',
  }),
  memory({
    name: 'cgroup.memory.utilization',
    unit: 'ratio',
    description: 'Working set against the lower of memory.high and memory.max; not set without a limit',
    source: 'memory.current, memory.stat, memory.high, memory.max (v1 memory.limit_in_bytes)',
    formula: 'cgroup.memory.working_set / min(memory.high, memory.max)',
  }),
  memory({
    name: 'cgroup.memory.pressure',
    unit: 'ratio',
    description: 'Share of time some of the cgroup\'s tasks stalled on memory (PSI "some")',
    source: 'memory.pressure some total',
    formula: 'Δtotal_µs / Δt_µs',
  }),
  memory({
    name: 'cgroup.memory.high_events',
    unit: 'count',
    description: 'Times the cgroup went over memory.high and was throttled into reclaim, in the interval',
    source: 'memory.events high',
    formula: 'Δhigh',
  }),
  memory({
    name: 'cgroup.memory.max_events',
    unit: 'count',
    description: 'Times the cgroup hit memory.max and had to reclaim to charge more, in the interval',
    source: 'memory.events max (v1 memory.failcnt)',
    formula: 'Δmax',
  }),
  memory({
    name: 'cgroup.memory.oom_kills',
    unit: 'count',
    description: 'Processes of the cgroup killed by the OOM killer in the interval',
    source: 'memory.events oom_kill (v1 memory.oom_control oom_kill)',
    formula: 'Δoom_kill',
  }),
  disk({
    name: 'cgroup.io.read_bps',
    unit: 'bytes_per_s',
    description: 'Bytes the cgroup read from block devices per second, all devices',
    source: 'io.stat rbytes (v1 blkio.throttle.io_service_bytes Read)',
    formula: 'Σ_devices Δrbytes / Δt',
  }),
  disk({
    name: 'cgroup.io.write_bps',
    unit: 'bytes_per_s',
    description: 'Bytes the cgroup wrote to block devices per second, all devices',
    source: 'io.stat wbytes (v1 blkio.throttle.io_service_bytes Write)',
    formula: 'Σ_devices Δwbytes / Δt',
  }),
  disk({
    name: 'cgroup.io.ops_ps',
    unit: 'per_s',
    description: 'Read and write operations the cgroup issued to block devices per second',
    source: 'io.stat rios, wios (v1 blkio.throttle.io_serviced)',
    formula: 'Σ_devices (Δrios + Δwios) / Δt',
  }),
  disk({
    name: 'cgroup.io.pressure',
    unit: 'ratio',
    description: 'Share of time some of the cgroup\'s tasks stalled on I/O (PSI "some")',
    source: 'io.pressure some total',
    formula: 'Δtotal_µs / Δt_µs',
  }),
  tasks({
    name: 'cgroup.pids.current',
    unit: 'count',
    description: 'Tasks (threads) in the cgroup and its descendants',
    source: 'pids.current',
    formula: 'pids.current',
  }),
  tasks({
    name: 'cgroup.pids.utilization',
    unit: 'ratio',
    description: 'Tasks against pids.max; not set without a numeric limit',
    source: 'pids.current, pids.max',
    formula: 'pids.current / pids.max',
  }),
  tasks({
    name: 'cgroup.pids.fork_failures',
    unit: 'count',
    description: 'fork() and clone() calls refused in the interval because the cgroup was at pids.max',
    source: 'pids.events max',
    formula: 'Δmax',
  }),
];
