import type {
  CpuTimeMode,
  DiskCounters,
  FilesystemCounters,
  HostCounters,
  HostIdentity,
  InterfaceCounters,
  KernelActivity,
  KernelGauges,
  NetDevField,
} from '../../model/counters.js';
import { VMSTAT_FIELDS } from '../../model/counters.js';
import type { Frame } from '../../model/frame.js';
import type { Emit, FamilySpec } from './family.js';

/**
 * Families with node_exporter's names, units and labels, from the counters section of the latest
 * frame (already in seconds and bytes), so that the node-mixin recording rules and dashboards work
 * unchanged.
 */

/*
 * The read functions run once per frame, a second apart, so V8 mostly leaves them unoptimised, and
 * there for…of allocates an iterator result (and an entry array for maps) per element and forEach a
 * closure per call: they loop with indexes instead.
 */
const NO_COUNTERS: HostCounters = Object.freeze({});

function counters(frame: Frame): HostCounters {
  return frame.counters ?? NO_COUNTERS;
}

const CPU_MODES: readonly CpuTimeMode[] = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
const CPU_LABELS = ['cpu', 'mode'];

const cpu: FamilySpec[] = [
  {
    name: 'node_cpu_seconds_total',
    help: 'Seconds the CPUs spent in each mode.',
    type: 'counter',
    labels: CPU_LABELS,
    read(f, emit) {
      const t = counters(f).cpus;
      if (!t) return;
      for (let row = 0; row < t.count; row++) {
        const cpu = String(t.logical[row]);
        for (let m = 0; m < CPU_MODES.length; m++) emit(t.seconds(row, CPU_MODES[m]), cpu, CPU_MODES[m]);
      }
    },
  },
  {
    name: 'node_cpu_guest_seconds_total',
    help: 'Seconds the CPUs spent in guests (VMs) for each mode.',
    type: 'counter',
    labels: CPU_LABELS,
    read(f, emit) {
      const t = counters(f).cpus;
      if (!t) return;
      for (let row = 0; row < t.count; row++) {
        const cpu = String(t.logical[row]);
        emit(t.seconds(row, 'guest'), cpu, 'user');
        emit(t.seconds(row, 'guestNice'), cpu, 'nice');
      }
    },
  },
  statValue('node_context_switches_total', 'Total number of context switches.', 'counter', (s) => s.contextSwitches),
  statValue('node_intr_total', 'Total number of interrupts serviced.', 'counter', (s) => s.interrupts),
  statValue('node_forks_total', 'Total number of forks.', 'counter', (s) => s.forks),
  statValue('node_boot_time_seconds', 'Node boot time, in unixtime.', 'gauge', (s) => s.bootTime),
  statValue('node_procs_running', 'Number of processes in runnable state.', 'gauge', (s) => s.procsRunning),
  statValue(
    'node_procs_blocked',
    'Number of processes blocked waiting for I/O to complete.',
    'gauge',
    (s) => s.procsBlocked,
  ),
  loadValue('node_load1', '1m load average.', 'load1'),
  loadValue('node_load5', '5m load average.', 'load5'),
  loadValue('node_load15', '15m load average.', 'load15'),
];

function statValue(
  name: string,
  help: string,
  type: 'counter' | 'gauge',
  pick: (s: KernelActivity) => number | undefined,
): FamilySpec {
  return {
    name,
    help,
    type,
    read(f, emit) {
      const activity = counters(f).activity;
      if (activity) emit(pick(activity));
    },
  };
}

function loadValue(name: string, help: string, key: 'load1' | 'load5' | 'load15'): FamilySpec {
  return {
    name,
    help,
    type: 'gauge',
    read(f, emit) {
      emit(counters(f).load?.[key]);
    },
  };
}

const memory: FamilySpec[] = VMSTAT_FIELDS.map((field) => ({
  name: `node_vmstat_${field}`,
  help: `/proc/vmstat information field ${field}.`,
  type: 'untyped' as const,
  read(f: Frame, emit: Emit) {
    emit(counters(f).memory?.vmstat[field]);
  },
}));

const PARENS = /\((.*)\)/;
const NOT_NAME_CHAR = /[^a-zA-Z0-9_]/g;

/** node_exporter's name for a /proc/meminfo field: "Active(anon)" → node_memory_Active_anon_bytes. */
export function meminfoMetricName(field: string): string {
  const base = field.replace(PARENS, '_$1').replace(NOT_NAME_CHAR, '_');
  return field.startsWith('HugePages_') ? `node_memory_${base}` : `node_memory_${base}_bytes`;
}

/** One family per meminfo field present; the exporter registers new ones as they appear. */
export function meminfoFamily(field: string): FamilySpec {
  const bytes = !field.startsWith('HugePages_');
  return {
    name: meminfoMetricName(field),
    help: `Memory information field ${field}${bytes ? '_bytes' : ''}.`,
    type: 'gauge',
    read(f, emit) {
      emit(counters(f).memory?.meminfo.get(field));
    },
  };
}

type PsiKind = 'some' | 'full';
const PSI_TOTALS: readonly [string, 'cpu' | 'memory' | 'io' | 'irq', PsiKind, string][] = [
  [
    'node_pressure_cpu_waiting_seconds_total',
    'cpu',
    'some',
    'Total time in seconds that processes have waited for CPU time',
  ],
  [
    'node_pressure_memory_waiting_seconds_total',
    'memory',
    'some',
    'Total time in seconds that processes have waited for memory',
  ],
  [
    'node_pressure_memory_stalled_seconds_total',
    'memory',
    'full',
    'Total time in seconds no process could make progress due to memory congestion',
  ],
  [
    'node_pressure_io_waiting_seconds_total',
    'io',
    'some',
    'Total time in seconds that processes have waited due to IO congestion',
  ],
  [
    'node_pressure_io_stalled_seconds_total',
    'io',
    'full',
    'Total time in seconds no process could make progress due to IO congestion',
  ],
  [
    'node_pressure_irq_stalled_seconds_total',
    'irq',
    'full',
    'Total time in seconds no process could make progress due to IRQ congestion',
  ],
];

const pressure: FamilySpec[] = PSI_TOTALS.map(([name, resource, kind, help]) => ({
  name,
  help,
  type: 'counter' as const,
  read(f: Frame, emit: Emit) {
    emit(counters(f).pressure?.[resource]?.[kind]?.totalSeconds);
  },
}));

const kernel: FamilySpec[] = [
  kernelValue('node_filefd_allocated', 'File descriptor statistics: allocated.', (k) => k.fileHandlesAllocated),
  kernelValue('node_filefd_maximum', 'File descriptor statistics: maximum.', (k) => k.fileHandlesMax),
  kernelValue('node_processes_threads', 'Allocated threads in system.', (k) => k.threads),
  kernelValue(
    'node_processes_max_threads',
    'Limit of threads in the system (kernel.threads-max).',
    (k) => k.threadsMax,
  ),
  kernelValue('node_processes_max_processes', 'Number of max PIDs limit (kernel.pid_max).', (k) => k.pidMax),
  kernelValue(
    'node_nf_conntrack_entries',
    'Number of currently allocated flow entries for connection tracking.',
    (k) => k.conntrackEntries,
  ),
  kernelValue('node_nf_conntrack_entries_limit', 'Maximum size of connection tracking table.', (k) => k.conntrackMax),
  kernelValue('node_sockstat_sockets_used', 'Number of IPv4 sockets in use.', (k) => k.sockets?.used),
  kernelValue('node_sockstat_TCP_inuse', 'Number of TCP sockets in state inuse.', (k) => k.sockets?.tcpInuse),
  kernelValue('node_sockstat_TCP_orphan', 'Number of TCP sockets in state orphan.', (k) => k.sockets?.tcpOrphan),
  kernelValue('node_sockstat_TCP_tw', 'Number of TCP sockets in state tw.', (k) => k.sockets?.tcpTimeWait),
  kernelValue('node_sockstat_TCP_alloc', 'Number of TCP sockets in state alloc.', (k) => k.sockets?.tcpAlloc),
  kernelValue('node_sockstat_TCP_mem', 'Number of TCP sockets in state mem (pages).', (k) => k.sockets?.tcpMemPages),
  kernelValue('node_sockstat_UDP_inuse', 'Number of UDP sockets in state inuse.', (k) => k.sockets?.udpInuse),
  kernelValue('node_sockstat_UDP_mem', 'Number of UDP sockets in state mem (pages).', (k) => k.sockets?.udpMemPages),
];

function kernelValue(name: string, help: string, pick: (k: KernelGauges) => number | undefined): FamilySpec {
  return {
    name,
    help,
    type: 'gauge',
    read(f, emit) {
      const k = counters(f).kernel;
      if (k) emit(pick(k));
    },
  };
}

const DISK: readonly [string, 'counter' | 'gauge', string, (d: DiskCounters) => number][] = [
  ['node_disk_reads_completed_total', 'counter', 'The total number of reads completed successfully.', (d) => d.reads],
  ['node_disk_reads_merged_total', 'counter', 'The total number of reads merged.', (d) => d.readsMerged],
  ['node_disk_read_bytes_total', 'counter', 'The total number of bytes read successfully.', (d) => d.readBytes],
  [
    'node_disk_read_time_seconds_total',
    'counter',
    'The total number of seconds spent by all reads.',
    (d) => d.readSeconds,
  ],
  [
    'node_disk_writes_completed_total',
    'counter',
    'The total number of writes completed successfully.',
    (d) => d.writes,
  ],
  ['node_disk_writes_merged_total', 'counter', 'The number of writes merged.', (d) => d.writesMerged],
  [
    'node_disk_written_bytes_total',
    'counter',
    'The total number of bytes written successfully.',
    (d) => d.writtenBytes,
  ],
  [
    'node_disk_write_time_seconds_total',
    'counter',
    'This is the total number of seconds spent by all writes.',
    (d) => d.writeSeconds,
  ],
  ['node_disk_io_now', 'gauge', 'The number of I/Os currently in progress.', (d) => d.inflight],
  ['node_disk_io_time_seconds_total', 'counter', 'Total seconds spent doing I/Os.', (d) => d.ioSeconds],
  [
    'node_disk_io_time_weighted_seconds_total',
    'counter',
    'The weighted # of seconds spent doing I/Os.',
    (d) => d.weightedIoSeconds,
  ],
  [
    'node_disk_discards_completed_total',
    'counter',
    'The total number of discards completed successfully.',
    (d) => d.discards,
  ],
  ['node_disk_discards_merged_total', 'counter', 'The total number of discards merged.', (d) => d.discardsMerged],
  [
    'node_disk_discarded_sectors_total',
    'counter',
    'The total number of sectors discarded successfully.',
    (d) => d.discardedSectors,
  ],
  [
    'node_disk_discard_time_seconds_total',
    'counter',
    'This is the total number of seconds spent by all discards.',
    (d) => d.discardSeconds,
  ],
  [
    'node_disk_flush_requests_total',
    'counter',
    'The total number of flush requests completed successfully',
    (d) => d.flushes,
  ],
  [
    'node_disk_flush_requests_time_seconds_total',
    'counter',
    'This is the total number of seconds spent by all flush requests.',
    (d) => d.flushSeconds,
  ],
];

const DEVICE_LABELS = ['device'];

const disk: FamilySpec[] = DISK.map(([name, type, help, pick]) => ({
  name,
  help,
  type,
  labels: DEVICE_LABELS,
  read(f: Frame, emit: Emit) {
    const disks = counters(f).disks ?? [];
    for (let i = 0; i < disks.length; i++) emit(pick(disks[i]), disks[i].device);
  },
}));

const NETDEV: readonly [string, NetDevField][] = [
  ['receive_bytes', 'rxBytes'],
  ['receive_packets', 'rxPackets'],
  ['receive_errs', 'rxErrs'],
  ['receive_drop', 'rxDrop'],
  ['receive_fifo', 'rxFifo'],
  ['receive_frame', 'rxFrame'],
  ['receive_compressed', 'rxCompressed'],
  ['receive_multicast', 'rxMulticast'],
  ['transmit_bytes', 'txBytes'],
  ['transmit_packets', 'txPackets'],
  ['transmit_errs', 'txErrs'],
  ['transmit_drop', 'txDrop'],
  ['transmit_fifo', 'txFifo'],
  ['transmit_colls', 'txColls'],
  ['transmit_carrier', 'txCarrier'],
  ['transmit_compressed', 'txCompressed'],
];

function perInterface(
  name: string,
  help: string,
  type: 'counter' | 'gauge',
  pick: (i: InterfaceCounters) => number | undefined,
): FamilySpec {
  return {
    name,
    help,
    type,
    labels: DEVICE_LABELS,
    read(f, emit) {
      const interfaces = counters(f).network?.interfaces ?? [];
      for (let i = 0; i < interfaces.length; i++) emit(pick(interfaces[i]), interfaces[i].name);
    },
  };
}

/**
 * node_netstat_<Proto>_<Field> families present in a frame, for the exporter to register: the
 * counters section holds node_exporter's default netstat field set only.
 */
export function netstatFamilyNames(frame: Frame): readonly string[] {
  return counters(frame).network?.protocols?.keys() ?? [];
}

export function netstatFamily(key: string): FamilySpec {
  const sep = key.indexOf('_');
  const proto = key.slice(0, sep);
  const field = key.slice(sep + 1);
  return {
    name: `node_netstat_${key.replace(NOT_NAME_CHAR, '_')}`,
    help: `Statistic ${proto}${field}.`,
    type: 'untyped',
    read(f, emit) {
      emit(counters(f).network?.protocols?.get(key));
    },
  };
}

const network: FamilySpec[] = [
  ...NETDEV.map(([suffix, key]) =>
    perInterface(`node_network_${suffix}_total`, `Network device statistic ${suffix}.`, 'counter', (i) => i[key]),
  ),
  perInterface('node_network_speed_bytes', 'Network device property: speed_bytes', 'gauge', (i) => i.speedBytes),
  perInterface('node_network_up', "Value is 1 if operstate is 'up', 0 otherwise.", 'gauge', (i) =>
    i.up === undefined ? undefined : i.up ? 1 : 0,
  ),
  perInterface('node_network_mtu_bytes', 'Network device property: mtu_bytes', 'gauge', (i) => i.mtu),
];

const MOUNT_LABELS = ['device', 'mountpoint', 'fstype'];

function perMount(name: string, help: string, pick: (m: FilesystemCounters) => number | undefined): FamilySpec {
  return {
    name,
    help,
    type: 'gauge',
    labels: MOUNT_LABELS,
    read(f, emit) {
      const mounts = counters(f).filesystems ?? [];
      for (let i = 0; i < mounts.length; i++)
        emit(pick(mounts[i]), mounts[i].device, mounts[i].mountPoint, mounts[i].fstype);
    },
  };
}

const filesystem: FamilySpec[] = [
  perMount('node_filesystem_size_bytes', 'Filesystem size in bytes.', (m) => m.sizeBytes),
  perMount('node_filesystem_free_bytes', 'Filesystem free space in bytes.', (m) => m.freeBytes),
  perMount(
    'node_filesystem_avail_bytes',
    'Filesystem space available to non-root users in bytes.',
    (m) => m.availBytes,
  ),
  perMount('node_filesystem_files', 'Filesystem total file nodes.', (m) => m.files),
  perMount('node_filesystem_files_free', 'Filesystem total free file nodes.', (m) => m.filesFree),
  perMount('node_filesystem_readonly', 'Filesystem read-only status.', (m) => (m.readonly ? 1 : 0)),
  perMount(
    'node_filesystem_device_error',
    'Whether an error occurred while getting statistics for the given device.',
    (m) => (m.deviceError ? 1 : 0),
  ),
];

/** os-release keys behind node_os_info's labels, in node_exporter's label order. */
const OS_INFO_LABELS: readonly [label: string, key: string][] = [
  ['build_id', 'BUILD_ID'],
  ['id', 'ID'],
  ['id_like', 'ID_LIKE'],
  ['image_id', 'IMAGE_ID'],
  ['image_version', 'IMAGE_VERSION'],
  ['name', 'NAME'],
  ['pretty_name', 'PRETTY_NAME'],
  ['variant', 'VARIANT'],
  ['variant_id', 'VARIANT_ID'],
  ['version', 'VERSION'],
  ['version_codename', 'VERSION_CODENAME'],
  ['version_id', 'VERSION_ID'],
];

const OS_VERSION_LABELS: readonly [label: string, key: string][] = [
  ['id', 'ID'],
  ['id_like', 'ID_LIKE'],
  ['name', 'NAME'],
];

const MAJOR_MINOR = /^\d+(\.\d+)?/;

/** The values of os-release labels, '' for a key the file does not have (as node_exporter writes it). */
function osValues(os: HostIdentity['osRelease'], labels: readonly (readonly [string, string])[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < labels.length; i++) values.push(os.get(labels[i][1]) ?? '');
  return values;
}

/** The dashboards pick hosts by node_uname_info and show node_os_info and the clock. */
const identity: FamilySpec[] = [
  {
    name: 'node_uname_info',
    help: 'Labeled system information as provided by the uname system call.',
    type: 'gauge',
    labels: ['domainname', 'machine', 'nodename', 'release', 'sysname', 'version'],
    read(f, emit) {
      const u = counters(f).identity?.uname;
      if (u) emit(1, u.domainname, u.machine, u.nodename, u.release, u.sysname, u.version);
    },
  },
  {
    name: 'node_os_info',
    help: "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
    type: 'gauge',
    labels: OS_INFO_LABELS.map(([label]) => label),
    read(f, emit) {
      const os = counters(f).identity?.osRelease;
      if (os && os.size > 0) emit(1, ...osValues(os, OS_INFO_LABELS));
    },
  },
  {
    name: 'node_os_version',
    help: 'Metric containing the major.minor part of the OS version.',
    type: 'gauge',
    labels: OS_VERSION_LABELS.map(([label]) => label),
    read(f, emit) {
      const os = counters(f).identity?.osRelease;
      const m = MAJOR_MINOR.exec(os?.get('VERSION_ID') ?? '');
      if (os && m) emit(Number(m[0]), ...osValues(os, OS_VERSION_LABELS));
    },
  },
  {
    name: 'node_time_seconds',
    help: 'System time in seconds since epoch (1970), when the frame was sampled.',
    type: 'gauge',
    read: (f, emit) => emit(f.ts / 1000),
  },
];

/** Every fixed node_exporter family; meminfo and netstat families depend on the host and are added as seen. */
export const nodeFamilies: readonly FamilySpec[] = [
  ...identity,
  ...cpu,
  ...memory,
  ...pressure,
  ...kernel,
  ...disk,
  ...network,
  ...filesystem,
];

export function meminfoFields(frame: Frame): Iterable<string> {
  return counters(frame).memory?.meminfo.keys() ?? [];
}

/** A cheap fingerprint of which meminfo and netstat fields a frame has (their counts). */
export function dynamicShape(frame: Frame): string {
  const c = counters(frame);
  return `${c.memory?.meminfo.size ?? 0},${c.network?.protocols?.size ?? 0}`;
}
