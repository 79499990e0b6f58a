import { CPU_MODES, type CpuSample, type CpuTimes } from '../../collectors/cpu.js';
import type { DiskSample, DiskStats } from '../../collectors/disk.js';
import type { FilesystemSample, MountSample } from '../../collectors/filesystem.js';
import type { KernelSample } from '../../collectors/kernel.js';
import type { MemorySample } from '../../collectors/memory.js';
import type { NetInterface, NetworkSample, ProtoCounters } from '../../collectors/network.js';
import { type PressureLine, type PressureSample, PSI_RESOURCES } from '../../collectors/pressure.js';
import type { Counter } from '../../collectors/types.js';
import {
  type CpuSeconds,
  type DiskCounters,
  type FilesystemCounters,
  type HostCounters,
  type InterfaceCounters,
  NET_DEV_FIELDS,
  type PressureCounters,
  type PressureLineCounters,
  type ProtocolCounters,
  VMSTAT_FIELDS,
  type VmstatField,
} from '../model/counters.js';
import { SECTOR_BYTES, USER_HZ } from './units.js';

/**
 * Builds a frame's counters section (src/model/counters.ts) from one tick's samples, one family at a
 * time: every unit conversion the exporters need happens here, once per tick. Counters beyond 2^53
 * (bigints in the samples) become the nearest number, as the exporters print them.
 */
export type CountersBuilder<S> = (cur: S, into: HostCounters) => void;

const MS = 1e-3;
const US_PER_SECOND = 1e6;
const PERCENT = 100;

function num(v: Counter): number;
function num(v: Counter | undefined): number | undefined;
function num(v: Counter | undefined): number | undefined {
  return typeof v === 'bigint' ? Number(v) : v;
}

function cpuSeconds(key: string, t: CpuTimes): CpuSeconds {
  const out = { logical: Number(key.slice(3)) } as CpuSeconds; // "cpu12" → 12
  for (const mode of CPU_MODES) out[mode] = t[mode] / USER_HZ;
  return out;
}

export const cpuCounters: CountersBuilder<CpuSample> = (cur, into) => {
  into.cpus = Array.from(cur.stat.cpus, ([key, t]) => cpuSeconds(key, t));
  const s = cur.stat;
  into.activity = {
    contextSwitches: num(s.ctxt),
    interrupts: num(s.intr),
    forks: num(s.processes),
    bootTime: s.btime,
    procsRunning: s.procsRunning,
    procsBlocked: s.procsBlocked,
  };
  const l = cur.loadavg;
  if (l) into.load = { load1: l.load1, load5: l.load5, load15: l.load15 };
};

const VMSTAT_KEYS: Readonly<Record<VmstatField, keyof NonNullable<MemorySample['vmstat']>>> = {
  pgpgin: 'pgpgin',
  pgpgout: 'pgpgout',
  pswpin: 'pswpin',
  pswpout: 'pswpout',
  pgmajfault: 'pgmajfault',
  oom_kill: 'oomKill',
};

export const memoryCounters: CountersBuilder<MemorySample> = (cur, into) => {
  const vmstat: Partial<Record<VmstatField, number>> = {};
  if (cur.vmstat) {
    for (const field of VMSTAT_FIELDS) {
      const v = num(cur.vmstat[VMSTAT_KEYS[field]]);
      if (v !== undefined) vmstat[field] = v;
    }
  }
  // meminfo is already in bytes, and a sample is never changed once read: the map is shared.
  into.memory = { meminfo: cur.meminfo, vmstat };
};

function pressureLine(line: PressureLine): PressureLineCounters {
  return {
    avg10: line.avg10 / PERCENT,
    avg60: line.avg60 / PERCENT,
    avg300: line.avg300 / PERCENT,
    totalSeconds: num(line.totalUs) / US_PER_SECOND,
  };
}

export const pressureCounters: CountersBuilder<PressureSample> = (cur, into) => {
  const out: PressureCounters = {};
  for (const resource of PSI_RESOURCES) {
    const p = cur[resource];
    if (p === undefined) continue;
    out[resource] = {
      ...(p.some && { some: pressureLine(p.some) }),
      ...(p.full && { full: pressureLine(p.full) }),
    };
  }
  into.pressure = out;
};

export const kernelCounters: CountersBuilder<KernelSample> = (cur, into) => {
  into.kernel = {
    fileHandlesAllocated: num(cur.fileNr?.allocated),
    fileHandlesMax: num(cur.fileNr?.max),
    threads: cur.threads,
    threadsMax: cur.threadsMax,
    pidMax: cur.pidMax,
    conntrackEntries: cur.conntrack?.count,
    conntrackMax: cur.conntrack?.max,
    sockstat: cur.sockstat,
  };
};

function diskRow(device: string, s: DiskStats): DiskCounters {
  return {
    device,
    reads: num(s.reads),
    readsMerged: num(s.readsMerged),
    readBytes: num(s.sectorsRead) * SECTOR_BYTES,
    readSeconds: num(s.readMs) * MS,
    writes: num(s.writes),
    writesMerged: num(s.writesMerged),
    writtenBytes: num(s.sectorsWritten) * SECTOR_BYTES,
    writeSeconds: num(s.writeMs) * MS,
    inflight: s.inflight,
    ioSeconds: num(s.ioMs) * MS,
    weightedIoSeconds: num(s.weightedMs) * MS,
    discards: num(s.discards),
    discardsMerged: num(s.discardsMerged),
    discardedSectors: num(s.sectorsDiscarded),
    discardSeconds: num(s.discardMs) * MS,
    flushes: num(s.flushes),
    flushSeconds: num(s.flushMs) * MS,
  };
}

export const diskCounters: CountersBuilder<DiskSample> = (cur, into) => {
  into.disks = Array.from(cur.devices, ([device, d]) => diskRow(device, d.stats));
};

function interfaceRow(name: string, i: NetInterface): InterfaceCounters {
  const out = { name } as InterfaceCounters;
  for (const field of NET_DEV_FIELDS) out[field] = num(i.counters[field]);
  const { speedMbps, operstate, mtu } = i.link;
  if (speedMbps !== undefined) out.speedBytes = (speedMbps * 1e6) / 8;
  if (operstate !== undefined) out.up = operstate === 'up';
  if (mtu !== undefined) out.mtu = mtu;
  return out;
}

/**
 * node_exporter's default netstat field filter, so that the same node_netstat_* series appear; the
 * other fields are left out of the counters section (compiled once; the answer per field is cached).
 */
const NETSTAT_FIELDS =
  /^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$/;
const netstatKept = new Map<string, boolean>();

export function netstatFieldExported(proto: string, field: string): boolean {
  const key = `${proto}_${field}`;
  let kept = netstatKept.get(key);
  if (kept === undefined) {
    kept = NETSTAT_FIELDS.test(key);
    netstatKept.set(key, kept);
  }
  return kept;
}

function exportedProtocolCounters(table: ProtoCounters): ProtocolCounters {
  const out = new Map<string, Map<string, number>>();
  table.forEach((fields, proto) => {
    const kept = new Map<string, number>();
    fields.forEach((value, field) => {
      if (netstatFieldExported(proto, field)) kept.set(field, num(value));
    });
    if (kept.size > 0) out.set(proto, kept);
  });
  return out;
}

export const networkCounters: CountersBuilder<NetworkSample> = (cur, into) => {
  into.network = {
    interfaces: Array.from(cur.interfaces, ([name, i]) => interfaceRow(name, i)),
    ...(cur.snmp && { snmp: exportedProtocolCounters(cur.snmp) }),
    ...(cur.netstat && { netstat: exportedProtocolCounters(cur.netstat) }),
  };
};

function mountRow(m: MountSample): FilesystemCounters {
  const out: FilesystemCounters = {
    device: m.source,
    mountPoint: m.mountPoint,
    fstype: m.fstype,
    readonly: m.readonly,
    deviceError: m.stats === undefined || m.stuck,
  };
  const st = m.stats;
  if (st) {
    out.sizeBytes = st.blocks * st.bsize;
    out.freeBytes = st.bfree * st.bsize;
    out.availBytes = st.bavail * st.bsize;
    out.files = st.files;
    out.filesFree = st.ffree;
  }
  return out;
}

export const filesystemCounters: CountersBuilder<FilesystemSample> = (cur, into) => {
  into.filesystems = Array.from(cur.mounts.values(), (m) => mountRow(m));
};
