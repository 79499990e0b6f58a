import type { MetricDef } from './types.js';

// cpu.run_delay is also set by the process deriver (Σ over /proc/<pid>/schedstat); it is defined in cpu.ts.

export const processMetrics: MetricDef[] = [
  {
    name: 'tasks.processes',
    resource: 'tasks',
    unit: 'count',
    instance: 'host',
    description: 'Processes (thread groups) listed under /proc',
    source: '/proc/<pid>/ directories',
    formula: 'count of numeric directories whose stat could be read',
  },
  {
    name: 'tasks.uninterruptible',
    resource: 'tasks',
    unit: 'count',
    instance: 'host',
    description:
      'Processes in uninterruptible sleep (D), usually waiting for disk or NFS I/O; they add to the load average',
    source: '/proc/<pid>/stat field 3',
    formula: 'count of processes with state D (thread group leaders only)',
  },
  {
    name: 'tasks.zombies',
    resource: 'tasks',
    unit: 'count',
    instance: 'host',
    description: 'Exited processes not yet reaped by their parent (Z); they hold a pid each',
    source: '/proc/<pid>/stat field 3',
    formula: 'count of processes with state Z',
  },
  {
    name: 'fd.max_process_utilization',
    resource: 'fd',
    unit: 'ratio',
    instance: 'host',
    description:
      'Highest share of its soft open-files limit used by one process (among processes whose fds could be counted)',
    source: '/proc/<pid>/fd/ entries; /proc/<pid>/limits "Max open files" soft',
    formula: 'max over processes of open fds / soft limit (fds counted at most every few ticks per process)',
  },
];
