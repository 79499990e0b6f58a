import type { CgroupPressure, CgroupReading, CgroupsSample } from '../../collectors/cgroup/sample.js';
import type { CpuSample, CpuTimes } from '../../collectors/cpu.js';
import type { DiskSample, DiskStats } from '../../collectors/disk.js';
import type { FilesystemSample, MountSample } from '../../collectors/filesystem.js';
import type { KernelSample, SockStat } from '../../collectors/kernel.js';
import type { MemorySample } from '../../collectors/memory.js';
import type { NetInterface, NetworkSample, ProtoCounters } from '../../collectors/network.js';
import { type PressureLine, type PressureSample, PSI_RESOURCES } from '../../collectors/pressure.js';
import type { Counter } from '../../collectors/types.js';
import type { CgroupCounters } from '../model/cgroup.js';
import {
  CPU_TIME_MODES,
  CpuSecondsTable,
  type DiskCounters,
  FieldNames,
  type FilesystemCounters,
  type HostCounters,
  type InterfaceCounters,
  NamedValues,
  type PressureCounters,
  type PressureLineCounters,
  type SocketGauges,
  VMSTAT_FIELDS,
  type VmstatField,
} from '../model/counters.js';
import { workingSetBytes } from './cgroups.js';
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

function cpuTable(cpus: Map<string, CpuTimes>): CpuSecondsTable {
  const logical: number[] = [];
  const values: number[] = [];
  for (const [key, t] of cpus) {
    logical.push(Number(key.slice(3))); // "cpu12" → 12
    for (const mode of CPU_TIME_MODES) values.push(t[mode] / USER_HZ);
  }
  return new CpuSecondsTable(logical, values);
}

export const cpuCounters: CountersBuilder<CpuSample> = (cur, into) => {
  into.cpus = cpuTable(cur.stat.cpus);
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

/**
 * Collects one tick's named values, keeping the previous tick's FieldNames while the names are the
 * same, so that frames share them.
 */
class NamedValuesBuilder {
  private last = new FieldNames([]);
  private names: string[] = [];
  private values: number[] = [];

  add(name: string, value: number): void {
    this.names.push(name);
    this.values.push(value);
  }

  finish(): NamedValues {
    const { names, values } = this;
    this.names = [];
    this.values = [];
    if (!sameNames(this.last.list, names)) this.last = new FieldNames(names);
    return new NamedValues(this.last, values);
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const VMSTAT_KEYS: Readonly<Record<VmstatField, keyof NonNullable<MemorySample['vmstat']>>> = {
  pgpgin: 'pgpgin',
  pgpgout: 'pgpgout',
  pswpin: 'pswpin',
  pswpout: 'pswpout',
  pgmajfault: 'pgmajfault',
  oom_kill: 'oomKill',
};

/** One builder per engine: it keeps the meminfo field names of the previous tick. */
export function createMemoryCounters(): CountersBuilder<MemorySample> {
  const meminfo = new NamedValuesBuilder();
  return (cur, into) => {
    const vmstat: Partial<Record<VmstatField, number>> = {};
    if (cur.vmstat) {
      for (const field of VMSTAT_FIELDS) {
        const v = num(cur.vmstat[VMSTAT_KEYS[field]]);
        if (v !== undefined) vmstat[field] = v;
      }
    }
    for (const [field, value] of cur.meminfo) meminfo.add(field, value); // already in bytes
    into.memory = { meminfo: meminfo.finish(), vmstat };
  };
}

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
      some: p.some && pressureLine(p.some),
      full: p.full && pressureLine(p.full),
    };
  }
  into.pressure = out;
};

function socketGauges(s: SockStat): SocketGauges {
  return {
    used: s.socketsUsed,
    tcpInuse: s.tcp?.inuse,
    tcpOrphan: s.tcp?.orphan,
    tcpTimeWait: s.tcp?.tw,
    tcpAlloc: s.tcp?.alloc,
    tcpMemPages: s.tcp?.memPages,
    udpInuse: s.udp?.inuse,
    udpMemPages: s.udp?.memPages,
  };
}

export const kernelCounters: CountersBuilder<KernelSample> = (cur, into) => {
  into.kernel = {
    fileHandlesAllocated: num(cur.fileNr?.allocated),
    fileHandlesMax: num(cur.fileNr?.max),
    threads: cur.threads,
    threadsMax: cur.threadsMax,
    pidMax: cur.pidMax,
    conntrackEntries: cur.conntrack?.count,
    conntrackMax: cur.conntrack?.max,
    sockets: cur.sockstat && socketGauges(cur.sockstat),
  };
};

/*
 * Disk, interface and mount rows are written as whole object literals: every row of a kind then has
 * one hidden class with its fields in the object, the compact layout for the ring that keeps them.
 */
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

function interfaceRow(name: string, { counters: c, link }: NetInterface): InterfaceCounters {
  return {
    name,
    rxBytes: num(c.rxBytes),
    rxPackets: num(c.rxPackets),
    rxErrs: num(c.rxErrs),
    rxDrop: num(c.rxDrop),
    rxFifo: num(c.rxFifo),
    rxFrame: num(c.rxFrame),
    rxCompressed: num(c.rxCompressed),
    rxMulticast: num(c.rxMulticast),
    txBytes: num(c.txBytes),
    txPackets: num(c.txPackets),
    txErrs: num(c.txErrs),
    txDrop: num(c.txDrop),
    txFifo: num(c.txFifo),
    txColls: num(c.txColls),
    txCarrier: num(c.txCarrier),
    txCompressed: num(c.txCompressed),
    speedBytes: link.speedMbps === undefined ? undefined : (link.speedMbps * 1e6) / 8,
    up: link.operstate === undefined ? undefined : link.operstate === 'up',
    mtu: link.mtu,
  };
}

/**
 * node_exporter's default netstat field filter, so that the same node_netstat_* series appear; the
 * other fields are left out of the counters section (compiled once; the answer per field is cached).
 */
const NETSTAT_FIELDS =
  /^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$/;
/** By protocol and field, the exported name (`Tcp_InSegs`), or null for a field left out: no name is made per tick. */
const netstatNames = new Map<string, Map<string, string | null>>();

function exportedName(proto: string, field: string): string | null {
  let byField = netstatNames.get(proto);
  if (byField === undefined) {
    byField = new Map();
    netstatNames.set(proto, byField);
  }
  let name = byField.get(field);
  if (name === undefined) {
    const key = `${proto}_${field}`;
    name = NETSTAT_FIELDS.test(key) ? key : null;
    byField.set(field, name);
  }
  return name;
}

function addExported(table: ProtoCounters | undefined, into: NamedValuesBuilder): void {
  table?.forEach((fields, proto) => {
    fields.forEach((value, field) => {
      const name = exportedName(proto, field);
      if (name !== null) into.add(name, num(value));
    });
  });
}

/** One builder per engine: it keeps the protocol field names of the previous tick. */
export function createNetworkCounters(): CountersBuilder<NetworkSample> {
  const protocols = new NamedValuesBuilder();
  return (cur, into) => {
    into.network = { interfaces: Array.from(cur.interfaces, ([name, i]) => interfaceRow(name, i)) };
    if (cur.snmp === undefined && cur.netstat === undefined) return;
    addExported(cur.snmp, protocols);
    addExported(cur.netstat, protocols);
    into.network.protocols = protocols.finish();
  };
}

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

function usecToSeconds(v: Counter | undefined): number | undefined {
  return v === undefined ? undefined : num(v) / US_PER_SECOND;
}

/** A cgroup PSI file's stall totals in seconds. */
function stallSeconds(p: CgroupPressure | undefined): { some: number; full?: number } | undefined {
  return p && { some: num(p.someUsec) / US_PER_SECOND, full: usecToSeconds(p.fullUsec) };
}

/** memory.pressure and io.pressure always have a "full" line; a file read without one is left out. */
function withFull(p: { some: number; full?: number } | undefined): { some: number; full: number } | undefined {
  return p?.full === undefined ? undefined : { some: p.some, full: p.full };
}

/** One cgroup's row; fields whose file was not read stay undefined (the exporters leave their series out). */
function cgroupRow(r: CgroupReading): CgroupCounters {
  const row: CgroupCounters = {
    id: r.identity.id,
    cpuUsageSeconds: usecToSeconds(r.cpuUsageUsec),
    cpuUserSeconds: usecToSeconds(r.cpuUserUsec),
    cpuSystemSeconds: usecToSeconds(r.cpuSystemUsec),
    cfsPeriods: num(r.nrPeriods),
    cfsThrottledPeriods: num(r.nrThrottled),
    cfsThrottledSeconds: usecToSeconds(r.throttledUsec),
    memoryUsageBytes: r.memoryCurrentBytes,
    memoryWorkingSetBytes: workingSetBytes(r),
    memoryLimitBytes: r.memoryMaxBytes,
    oomKills: num(r.oomKills),
    oomEvents: num(r.oomEvents),
    ioReadBytes: num(r.ioReadBytes),
    ioWriteBytes: num(r.ioWriteBytes),
    ioReads: num(r.ioReads),
    ioWrites: num(r.ioWrites),
    pids: r.pidsCurrent,
    pidsLimit: r.pidsMax,
  };
  if (r.cpuPressure || r.memoryPressure || r.ioPressure) {
    row.pressureSeconds = {
      cpu: stallSeconds(r.cpuPressure),
      memory: withFull(stallSeconds(r.memoryPressure)),
      io: withFull(stallSeconds(r.ioPressure)),
    };
  }
  return row;
}

/** One row per cgroup of the sample, in its order: the engine gives it the readings of the cgroups a frame carries. */
export const cgroupCounters: CountersBuilder<CgroupsSample> = (cur, into) => {
  into.cgroups = cur.cgroups.map(cgroupRow);
};
