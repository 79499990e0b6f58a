import { kernelLogMetric, metricsOf } from './define.js';
import type { Unit } from './types.js';

const fileNr = '/proc/sys/fs/file-nr';
const loadavgThreads = '/proc/loadavg field 4';
const taskLimit = '/proc/sys/kernel/threads-max, pid_max';
const sockstat = '/proc/net/sockstat';
const tcpMem = '/proc/sys/net/ipv4/tcp_mem';
const conntrackFiles = '/proc/sys/net/netfilter/nf_conntrack_count, nf_conntrack_max';

const fd = metricsOf('fd', 'host');
const tasks = metricsOf('tasks', 'host');
const tcp = metricsOf('tcp', 'host');
const conntrack = metricsOf('conntrack', 'host');

type Maker = typeof fd;
/** A row of a table below: name, unit, description, source, formula. */
type Row<N extends string> = readonly [N, Unit, string, string, string];

/** Catalog entries of one resource from a table. */
function rows<const N extends string>(make: Maker, table: readonly Row<N>[]) {
  return table.map(([name, unit, description, source, formula]) => make({ name, unit, description, source, formula }));
}

/** File handles, tasks, socket memory and conntrack, derived in src/derive/kernel.ts; their kernel-log counts. */
export const kernelMetrics = [
  // biome-ignore format: a table, one row per metric
  ...rows(fd, [
    ['fd.utilization', 'ratio', 'Share of the system-wide file handle limit in use (≈0 where systemd sets file-max to LONG_MAX)', fileNr, 'allocated / max'],
    ['fd.allocated', 'count', 'Allocated file handles (open file descriptions, not fds)', fileNr, 'field 1'],
    ['fd.max', 'count', 'System-wide file handle limit (fs.file-max)', fileNr, 'field 3'],
  ]),
  // biome-ignore format: a table, one row per metric
  ...rows(tasks, [
    ['tasks.utilization', 'ratio', 'Share of the task limit in use: threads against the lower of threads-max and pid_max', `${loadavgThreads}; ${taskLimit}`, 'threads / min(threads-max, pid_max)'],
    ['tasks.count', 'threads', 'Existing threads (scheduling entities)', loadavgThreads, 'denominator of field 4'],
    ['tasks.limit', 'threads', 'Task limit: the lower of threads-max and pid_max', taskLimit, 'min(threads-max, pid_max)'],
    ['tasks.cgroup_utilization', 'ratio', "Share of the agent's cgroup pids.max in use; not set without a numeric limit", 'cgroup pids.current, pids.max (cgroup of /proc/self/cgroup)', 'pids.current / pids.max'],
    ['tasks.forks_ps', 'per_s', 'Processes and threads created per second', '/proc/stat processes', 'Δprocesses / Δt'],
    ['tasks.fork_rejected', 'count', "Forks refused in the interval because the agent's cgroup reached pids.max", 'cgroup pids.events max', 'Δmax'],
  ]),
  // biome-ignore format: a table, one row per metric
  ...rows(tcp, [
    ['tcp.mem_utilization', 'ratio', 'TCP buffer memory against the hard limit tcp_mem[2]', `${sockstat} TCP mem; ${tcpMem}`, 'TCP mem pages / tcp_mem[2]'],
  ]),
  metricsOf(
    'tcp',
    'host',
  )({
    name: 'tcp.mem_pressure_ratio',
    unit: 'ratio',
    canExceedOne: true,
    description: 'TCP buffer memory against the pressure threshold tcp_mem[1]; at 1 the kernel starts trimming buffers',
    source: `${sockstat} TCP mem; ${tcpMem}`,
    formula: 'TCP mem pages / tcp_mem[1]',
  }),
  // biome-ignore format: a table, one row per metric
  ...rows(tcp, [
    ['tcp.inuse', 'count', 'TCP sockets in use', `${sockstat} TCP inuse`, 'as read'],
    ['tcp.orphans', 'count', 'Orphaned TCP sockets (closed by the application, not yet by the peer)', `${sockstat} TCP orphan`, 'as read'],
    ['tcp.time_wait', 'count', 'TCP sockets in TIME_WAIT', `${sockstat} TCP tw`, 'as read'],
  ]),
  // biome-ignore format: a table, one row per metric
  ...rows(conntrack, [
    ['conntrack.utilization', 'ratio', 'Share of the connection tracking table in use; not set when nf_conntrack is not loaded', conntrackFiles, 'nf_conntrack_count / nf_conntrack_max'],
    ['conntrack.entries', 'count', 'Connection tracking entries', conntrackFiles, 'nf_conntrack_count'],
    ['conntrack.limit', 'count', 'Connection tracking table size', conntrackFiles, 'nf_conntrack_max'],
  ]),
  kernelLogMetric(
    'fd.kernel_file_max_events',
    'fd',
    'File table full records in the kernel log',
    '"VFS: file-max limit"',
  ),
  kernelLogMetric(
    'tasks.kernel_fork_rejected',
    'tasks',
    'Forks rejected by a pids cgroup, as logged by the kernel',
    '"fork rejected by pids controller"',
  ),
  kernelLogMetric(
    'conntrack.kernel_table_full',
    'conntrack',
    'Conntrack table full records in the kernel log',
    '"nf_conntrack: table full"',
  ),
];
