import type { Resource } from '../model/frame.js';
import type { MetricDef, Unit } from './types.js';

function host(
  name: string,
  resource: Resource,
  unit: Unit,
  description: string,
  source: string,
  formula: string,
): MetricDef {
  return { name, resource, unit, instance: 'host', description, source, formula };
}

const fileNr = '/proc/sys/fs/file-nr';
const sockstat = '/proc/net/sockstat';
const tcpMem = '/proc/sys/net/ipv4/tcp_mem';
const conntrack = '/proc/sys/net/netfilter/nf_conntrack_count, nf_conntrack_max';
const kmsg = '/dev/kmsg';

function kernelLog(name: string, resource: Resource, description: string, patterns: string): MetricDef {
  return host(
    name,
    resource,
    'count',
    `${description} (needs CAP_SYSLOG when kernel.dmesg_restrict=1; not set when denied)`,
    kmsg,
    `records matching ${patterns} first seen in the interval`,
  );
}

/** File handles, tasks, sockets, conntrack, disk PSI and kernel-log error counts. */
export const kernelMetrics: MetricDef[] = [
  host(
    'fd.utilization',
    'fd',
    'ratio',
    'Share of the system-wide file handle limit in use (≈0 where systemd sets file-max to LONG_MAX)',
    fileNr,
    'allocated / max',
  ),
  host('fd.allocated', 'fd', 'count', 'Allocated file handles (open file descriptions, not fds)', fileNr, 'field 1'),
  host('fd.max', 'fd', 'count', 'System-wide file handle limit (fs.file-max)', fileNr, 'field 3'),
  host(
    'tasks.utilization',
    'tasks',
    'ratio',
    'Share of the task limit in use: threads against the lower of threads-max and pid_max',
    '/proc/loadavg field 4; /proc/sys/kernel/threads-max, pid_max',
    'threads / min(threads-max, pid_max)',
  ),
  host(
    'tasks.count',
    'tasks',
    'threads',
    'Existing threads (scheduling entities)',
    '/proc/loadavg field 4',
    'denominator of field 4',
  ),
  host(
    'tasks.limit',
    'tasks',
    'threads',
    'Task limit: the lower of threads-max and pid_max',
    '/proc/sys/kernel/threads-max, pid_max',
    'min(threads-max, pid_max)',
  ),
  host(
    'tasks.cgroup_utilization',
    'tasks',
    'ratio',
    "Share of the agent's cgroup pids.max in use; not set without a numeric limit",
    'cgroup pids.current, pids.max (cgroup of /proc/self/cgroup)',
    'pids.current / pids.max',
  ),
  host(
    'tasks.forks_ps',
    'tasks',
    'per_s',
    'Processes and threads created per second',
    '/proc/stat processes',
    'Δprocesses / Δt',
  ),
  host(
    'tasks.fork_rejected',
    'tasks',
    'count',
    "Forks refused in the interval because the agent's cgroup reached pids.max",
    'cgroup pids.events max',
    'Δmax',
  ),
  host(
    'disk.blocked_tasks',
    'disk',
    'threads',
    'Tasks blocked waiting for I/O at the instant of the read (vmstat b); one sample, so rules use disk.psi_some',
    '/proc/stat procs_blocked',
    'as read',
  ),
  host(
    'disk.psi_some',
    'disk',
    'ratio',
    'Share of time at least one task was stalled on I/O (PSI)',
    '/proc/pressure/io some total',
    'Δtotal_µs / Δt_µs',
  ),
  host(
    'disk.psi_full',
    'disk',
    'ratio',
    'Share of time all non-idle tasks were stalled on I/O at once (PSI)',
    '/proc/pressure/io full total',
    'Δtotal_µs / Δt_µs',
  ),
  host(
    'tcp.mem_utilization',
    'tcp',
    'ratio',
    'TCP buffer memory against the hard limit tcp_mem[2]',
    `${sockstat} TCP mem; ${tcpMem}`,
    'TCP mem pages / tcp_mem[2]',
  ),
  {
    ...host(
      'tcp.mem_pressure_ratio',
      'tcp',
      'ratio',
      'TCP buffer memory against the pressure threshold tcp_mem[1]; at 1 the kernel starts trimming buffers',
      `${sockstat} TCP mem; ${tcpMem}`,
      'TCP mem pages / tcp_mem[1]',
    ),
    canExceedOne: true,
  },
  host('tcp.inuse', 'tcp', 'count', 'TCP sockets in use', `${sockstat} TCP inuse`, 'as read'),
  host(
    'tcp.orphans',
    'tcp',
    'count',
    'Orphaned TCP sockets (closed by the application, not yet by the peer)',
    `${sockstat} TCP orphan`,
    'as read',
  ),
  host('tcp.time_wait', 'tcp', 'count', 'TCP sockets in TIME_WAIT', `${sockstat} TCP tw`, 'as read'),
  host(
    'conntrack.utilization',
    'conntrack',
    'ratio',
    'Share of the connection tracking table in use; not set when nf_conntrack is not loaded',
    conntrack,
    'nf_conntrack_count / nf_conntrack_max',
  ),
  host('conntrack.entries', 'conntrack', 'count', 'Connection tracking entries', conntrack, 'nf_conntrack_count'),
  host('conntrack.limit', 'conntrack', 'count', 'Connection tracking table size', conntrack, 'nf_conntrack_max'),
  kernelLog(
    'cpu.machine_check_events',
    'cpu',
    'Machine check / hardware error records in the kernel log',
    '"Machine check", "mce:", "Hardware Error"',
  ),
  kernelLog(
    'memory.kernel_oom_events',
    'memory',
    'OOM killer records in the kernel log (one kill logs up to three: invoked oom-killer, oom-kill:, Killed process)',
    '"Out of memory", "Killed process", "oom-kill"',
  ),
  kernelLog(
    'disk.kernel_io_errors',
    'disk',
    'Block I/O error records in the kernel log',
    '"I/O error", "blk_update_request", "critical medium error"',
  ),
  kernelLog(
    'fs.kernel_errors',
    'filesystem',
    'Filesystem error records in the kernel log',
    '"EXT4-fs error", XFS error/corruption, "Remounting filesystem read-only"',
  ),
  kernelLog('fd.kernel_file_max_events', 'fd', 'File table full records in the kernel log', '"VFS: file-max limit"'),
  kernelLog(
    'tasks.kernel_fork_rejected',
    'tasks',
    'Forks rejected by a pids cgroup, as logged by the kernel',
    '"fork rejected by pids controller"',
  ),
  kernelLog(
    'conntrack.kernel_table_full',
    'conntrack',
    'Conntrack table full records in the kernel log',
    '"nf_conntrack: table full"',
  ),
];
