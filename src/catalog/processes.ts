import { metricsOf } from './define.js';

const tasks = metricsOf('tasks', 'host');
const fd = metricsOf('fd', 'host');

/** Counted over /proc/<pid> by src/derive/processes.ts (cpu.run_delay, also set there, is defined in cpu.ts). */
export const processMetrics = [
  tasks({
    name: 'tasks.processes',
    unit: 'count',
    description: 'Processes (thread groups) listed under /proc',
    source: '/proc/<pid>/ directories',
    formula: 'count of numeric directories whose stat could be read',
  }),
  tasks({
    name: 'tasks.uninterruptible',
    unit: 'count',
    description:
      'Processes in uninterruptible sleep (D), usually waiting for disk or NFS I/O; they add to the load average',
    source: '/proc/<pid>/stat field 3',
    formula: 'count of processes with state D (thread group leaders only)',
  }),
  tasks({
    name: 'tasks.zombies',
    unit: 'count',
    description: 'Exited processes not yet reaped by their parent (Z); they hold a pid each',
    source: '/proc/<pid>/stat field 3',
    formula: 'count of processes with state Z',
  }),
  fd({
    name: 'fd.max_process_utilization',
    unit: 'ratio',
    description:
      'Highest share of its soft open-files limit used by one process (among processes whose fds could be counted)',
    source: '/proc/<pid>/fd/ entries; /proc/<pid>/limits "Max open files" soft',
    formula: 'max over processes of open fds / soft limit (fds counted at most every few ticks per process)',
  }),
];
