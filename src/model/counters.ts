import type { CgroupCounters } from './cgroup.js';

/**
 * The host's cumulative counters and kernel gauges of one tick, in the units the exporters publish
 * (seconds, bytes, ratios), for the outputs that export counters rather than rates: Prometheus
 * (node_exporter's families) and OTLP (the hostmetrics conventions). Built once per tick by
 * src/derive/counters.ts, which does every unit conversion. Host-level only, no per-process data:
 * the ring of recent frames keeps one section per frame. In-process only: never sent on the feed
 * nor written to recordings.
 */
export interface HostCounters {
  /** Per online CPU, in /proc/stat order. */
  cpus?: CpuSecondsTable;
  /** The system-wide lines of /proc/stat. */
  activity?: KernelActivity;
  load?: LoadAverages;
  memory?: MemoryCounters;
  pressure?: PressureCounters;
  kernel?: KernelGauges;
  /** Whole devices, in /proc/diskstats order. */
  disks?: DiskCounters[];
  network?: NetworkCounters;
  /** Mounts, in mount table order. */
  filesystems?: FilesystemCounters[];
  /** The workload cgroups the frame carries (`Frame.cgroups`), in the same order. */
  cgroups?: CgroupCounters[];
  /** The kernel's and the distribution's names, read once at start and shared by every frame. */
  identity?: HostIdentity;
}

/** uname(2)'s fields, as `uname -a` prints them. */
export interface UnameFacts {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string;
}

export interface HostIdentity {
  uname: UnameFacts;
  /** os-release(5) fields by key (NAME, VERSION_ID…); empty when the root has no os-release file. */
  osRelease: ReadonlyMap<string, string>;
}

/** Each mode's place in a row of the CPU seconds table. */
const MODE_INDEX = {
  user: 0,
  nice: 1,
  system: 2,
  idle: 3,
  iowait: 4,
  irq: 5,
  softirq: 6,
  steal: 7,
  guest: 8,
  guestNice: 9,
};
export type CpuTimeMode = keyof typeof MODE_INDEX;
export const CPU_TIME_MODES = Object.keys(MODE_INDEX) as readonly CpuTimeMode[];

/**
 * Seconds each CPU spent in each mode since boot; guest and guestNice are already inside user and
 * nice. One array of numbers for all CPUs (unboxed doubles in V8, 8 bytes a value) rather than an
 * object per CPU whose fractional fields are each a boxed number: a 64-CPU host keeps about a third
 * of the bytes per frame in the ring.
 */
export class CpuSecondsTable {
  /**
   * @param logical the logical CPU number of each row (12 for "cpu12")
   * @param values row after row, each the CPU_TIME_MODES in order
   */
  constructor(
    readonly logical: readonly number[],
    private readonly values: readonly number[],
  ) {
    if (values.length !== logical.length * CPU_TIME_MODES.length) {
      throw new Error(`${values.length} values for ${logical.length} CPUs`);
    }
  }

  get count(): number {
    return this.logical.length;
  }

  /** Seconds in `mode` of the CPU on row `row`. */
  seconds(row: number, mode: CpuTimeMode): number {
    return this.values[row * CPU_TIME_MODES.length + MODE_INDEX[mode]];
  }
}

export interface KernelActivity {
  contextSwitches?: number;
  interrupts?: number;
  forks?: number;
  /** Epoch seconds. */
  bootTime?: number;
  procsRunning?: number;
  procsBlocked?: number;
}

export interface LoadAverages {
  load1: number;
  load5: number;
  load15: number;
}

/** The /proc/vmstat fields exported, by their kernel names. */
export const VMSTAT_FIELDS = ['pgpgin', 'pgpgout', 'pswpin', 'pswpout', 'pgmajfault', 'oom_kill'] as const;
export type VmstatField = (typeof VMSTAT_FIELDS)[number];

export interface MemoryCounters {
  /** /proc/meminfo by field name, in file order: bytes, or counts for HugePages_*. */
  meminfo: NamedValues;
  /** As the kernel counts them (pgpgin/pgpgout in KiB, the others in pages or events); absent fields are missing. */
  vmstat: Partial<Record<VmstatField, number>>;
}

export type PsiResourceName = 'cpu' | 'memory' | 'io' | 'irq';

export interface PressureLineCounters {
  /** The kernel's running averages as ratios (0–1) over 10, 60 and 300 s. */
  avg10: number;
  avg60: number;
  avg300: number;
  /** Cumulative stall time in seconds. */
  totalSeconds: number;
}

/** Per PSI file present (no CONFIG_PSI, PSI disabled, irq before 6.1: missing). */
export type PressureCounters = Partial<
  Record<PsiResourceName, { some?: PressureLineCounters; full?: PressureLineCounters }>
>;

export interface KernelGauges {
  fileHandlesAllocated?: number;
  fileHandlesMax?: number;
  threads?: number;
  threadsMax?: number;
  pidMax?: number;
  conntrackEntries?: number;
  conntrackMax?: number;
  /** /proc/net/sockstat: sockets in use, TCP and UDP sockets by state, their memory in pages. */
  sockets?: SocketGauges;
}

export interface SocketGauges {
  used?: number;
  tcpInuse?: number;
  tcpOrphan?: number;
  tcpTimeWait?: number;
  tcpAlloc?: number;
  tcpMemPages?: number;
  udpInuse?: number;
  udpMemPages?: number;
}

/** One /proc/diskstats row: sectors as bytes, milliseconds as seconds. */
export interface DiskCounters {
  device: string;
  reads: number;
  readsMerged: number;
  readBytes: number;
  readSeconds: number;
  writes: number;
  writesMerged: number;
  writtenBytes: number;
  writeSeconds: number;
  /** I/Os in flight now (a gauge). */
  inflight: number;
  ioSeconds: number;
  /** Σ request time: the time × queue depth integral. */
  weightedIoSeconds: number;
  discards: number;
  discardsMerged: number;
  /** node_exporter exports this one in sectors. */
  discardedSectors: number;
  discardSeconds: number;
  flushes: number;
  flushSeconds: number;
}

/** The 16 counters of a /proc/net/dev row. */
export type NetDevField =
  | 'rxBytes'
  | 'rxPackets'
  | 'rxErrs'
  | 'rxDrop'
  | 'rxFifo'
  | 'rxFrame'
  | 'rxCompressed'
  | 'rxMulticast'
  | 'txBytes'
  | 'txPackets'
  | 'txErrs'
  | 'txDrop'
  | 'txFifo'
  | 'txColls'
  | 'txCarrier'
  | 'txCompressed';

export interface InterfaceCounters extends Record<NetDevField, number> {
  name: string;
  /** Link speed in bytes/s; undefined when the driver does not know it. */
  speedBytes?: number;
  /** operstate is "up"; undefined when unreadable. */
  up?: boolean;
  mtu?: number;
}

export interface NetworkCounters {
  /** In /proc/net/dev order. */
  interfaces: InterfaceCounters[];
  /**
   * /proc/net/snmp then /proc/net/netstat fields by "<Proto>_<Field>" (Tcp_ActiveOpens), only those
   * exported (node_exporter's default netstat set), to keep the section small.
   */
  protocols?: NamedValues;
}

export interface FilesystemCounters {
  /** The mount source (device), mount point and type, as in the mount table. */
  device: string;
  mountPoint: string;
  fstype: string;
  readonly: boolean;
  /** statfs failed or did not answer in time. */
  deviceError: boolean;
  /** The statfs figures; all undefined when it failed. */
  sizeBytes?: number;
  freeBytes?: number;
  /** Free space available to unprivileged users (free minus the root reserve). */
  availBytes?: number;
  files?: number;
  filesFree?: number;
}

/** The names of a field set, in order, with each one's position. */
export class FieldNames {
  private readonly index = new Map<string, number>();

  constructor(readonly list: readonly string[]) {
    // A name listed twice (a protocol in both snmp and netstat) reads as its first.
    list.forEach((name, i) => {
      if (!this.index.has(name)) this.index.set(name, i);
    });
  }

  indexOf(name: string): number | undefined {
    return this.index.get(name);
  }
}

/**
 * Values by name for a field set that varies between kernels but not while one runs (/proc/meminfo,
 * the netstat fields): frames share one FieldNames while the set stays the same, and the values sit
 * in one array of numbers (unboxed doubles in V8), so that each frame kept in the ring pays about
 * 8 bytes a value rather than a map entry, a key and a boxed number.
 */
export class NamedValues {
  constructor(
    readonly names: FieldNames,
    private readonly values: readonly number[],
  ) {}

  get size(): number {
    return this.names.list.length;
  }

  get(name: string): number | undefined {
    const i = this.names.indexOf(name);
    return i === undefined ? undefined : this.values[i];
  }

  keys(): readonly string[] {
    return this.names.list;
  }
}
