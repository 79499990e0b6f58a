import { parsePidsEvents, parsePidsMax } from './cgroup/parse.js';
import type { Collector } from './collector.js';
import { cgroupDirs, parseLoadAvg, readSelfCgroups } from './cpu.js';
import { OptionalSource } from './optional.js';
import { fields, lines, parseCounter } from './parse.js';
import type { SourceLog } from './procfs.js';
import { type Counter, ParseError } from './types.js';

/** /proc/sys/fs/file-nr: allocated file handles, unused (always 0 since 2.6), file-max. */
export interface FileNr {
  allocated: Counter;
  unused: Counter;
  /** LONG_MAX on systemd hosts that raise file-max: a bigint then. */
  max: Counter;
}

export interface SockStat {
  /** "sockets: used". */
  socketsUsed?: number;
  tcp?: { inuse: number; orphan: number; tw: number; alloc: number; memPages: number };
  udp?: { inuse: number; memPages: number };
}

/** /proc/sys/net/ipv4/tcp_mem in pages: below low no pressure, from pressure on the kernel moderates, high is the hard limit. */
export interface TcpMem {
  low: number;
  pressure: number;
  high: number;
}

/** cgroup pids controller of the agent's cgroup. */
export interface PidsCgroup {
  current: number;
  /** Undefined when pids.max is "max" (no limit). */
  max?: number;
  /** pids.events "max": forks rejected because pids.max was reached. */
  forkRejected?: Counter;
}

export interface KernelSample {
  fileNr?: FileNr;
  /** Threads (scheduling entities): /proc/loadavg field 4 denominator. */
  threads?: number;
  threadsMax?: number;
  pidMax?: number;
  sockstat?: SockStat;
  tcpMem?: TcpMem;
  conntrack?: { count: number; max: number };
  pids?: PidsCgroup;
}

export function parseFileNr(text: string): FileNr {
  const cols = fields(text.trim());
  if (cols.length !== 3) throw new ParseError(`expected 3 fields, got ${cols.length}`);
  return {
    allocated: parseCounter(cols[0], 'allocated'),
    unused: parseCounter(cols[1], 'unused'),
    max: parseCounter(cols[2], 'max'),
  };
}

/** A single non-negative integer file such as threads-max, pid_max or nf_conntrack_count. */
export function parseSingleCount(text: string): number {
  return Number(parseCounter(text.trim(), 'value'));
}

/** Reads "KEY: name value name value…" pairs; unknown names are kept, missing ones are absent. */
function namedValues(cols: string[], lineNo: number): Map<string, number> {
  if (cols.length % 2 !== 1) throw new ParseError(`line ${lineNo}: ${cols[0]} expected name/value pairs`);
  const out = new Map<string, number>();
  for (let i = 1; i < cols.length; i += 2) {
    out.set(cols[i], Number(parseCounter(cols[i + 1], `line ${lineNo}: ${cols[0]} ${cols[i]}`)));
  }
  return out;
}

function need(values: Map<string, number>, name: string, lineNo: number): number {
  const v = values.get(name);
  if (v === undefined) throw new ParseError(`line ${lineNo}: missing "${name}"`);
  return v;
}

/** Parses /proc/net/sockstat ("TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 11"). */
export function parseSockStat(text: string): SockStat {
  const out: SockStat = {};
  for (const [i, line] of lines(text).entries()) {
    const cols = fields(line);
    if (cols.length === 0) continue;
    const lineNo = i + 1;
    if (cols[0] === 'sockets:') {
      out.socketsUsed = need(namedValues(cols, lineNo), 'used', lineNo);
    } else if (cols[0] === 'TCP:') {
      const v = namedValues(cols, lineNo);
      out.tcp = {
        inuse: need(v, 'inuse', lineNo),
        orphan: need(v, 'orphan', lineNo),
        tw: need(v, 'tw', lineNo),
        alloc: need(v, 'alloc', lineNo),
        memPages: need(v, 'mem', lineNo),
      };
    } else if (cols[0] === 'UDP:') {
      const v = namedValues(cols, lineNo);
      out.udp = { inuse: need(v, 'inuse', lineNo), memPages: need(v, 'mem', lineNo) };
    }
  }
  return out;
}

export function parseTcpMem(text: string): TcpMem {
  const cols = fields(text.trim());
  if (cols.length !== 3) throw new ParseError(`expected 3 fields, got ${cols.length}`);
  return {
    low: Number(parseCounter(cols[0], 'low')),
    pressure: Number(parseCounter(cols[1], 'pressure')),
    high: Number(parseCounter(cols[2], 'high')),
  };
}

const PIDS_V1_MOUNTS = ['sys/fs/cgroup/pids'] as const;

/** The directory of the agent's cgroup that has pids files, or undefined (root cgroup, no controller). */
function resolvePidsDir(log: SourceLog): string | undefined {
  return cgroupDirs(readSelfCgroups(log), 'pids', PIDS_V1_MOUNTS).find(
    (dir) => log.fs.readOnce(`${dir}/pids.current`).ok,
  );
}

function readPids(log: SourceLog, dir: string): PidsCgroup | undefined {
  const current = log.keptParsed(`${dir}/pids.current`, parseSingleCount);
  if (current === undefined) return undefined;
  const max = log.keptParsed(`${dir}/pids.max`, parsePidsMax);
  const forkRejected = log.keptParsed(`${dir}/pids.events`, parsePidsEvents);
  return { current, max, forkRejected };
}

/** fd, task, socket and conntrack limits: each a small file, each allowed to be absent. */
export function createKernelCollector(): Collector<KernelSample> {
  const conntrackCount = new OptionalSource('proc/sys/net/netfilter/nf_conntrack_count');
  const conntrackMax = new OptionalSource('proc/sys/net/netfilter/nf_conntrack_max');
  let pidsDir: string | undefined;
  let pidsResolved = false;
  return {
    name: 'kernel',
    read(log) {
      if (!pidsResolved) {
        pidsDir = resolvePidsDir(log);
        if (pidsDir === undefined)
          log.report('sys/fs/cgroup', 'absent', 'no pids.current for this cgroup (root cgroup or no pids controller)');
        pidsResolved = true;
      }
      const countText = conntrackCount.read(log);
      const maxText = countText === undefined ? undefined : conntrackMax.read(log);
      const count = log.parse(conntrackCount.rel, countText, parseSingleCount);
      const max = log.parse(conntrackMax.rel, maxText, parseSingleCount);
      return {
        fileNr: log.keptParsed('proc/sys/fs/file-nr', parseFileNr),
        threads: log.keptParsed('proc/loadavg', parseLoadAvg)?.threads,
        threadsMax: log.keptParsed('proc/sys/kernel/threads-max', parseSingleCount),
        pidMax: log.keptParsed('proc/sys/kernel/pid_max', parseSingleCount),
        sockstat: log.keptParsed('proc/net/sockstat', parseSockStat),
        tcpMem: log.keptParsed('proc/sys/net/ipv4/tcp_mem', parseTcpMem),
        conntrack: count === undefined || max === undefined ? undefined : { count, max },
        pids: pidsDir === undefined ? undefined : readPids(log, pidsDir),
      };
    },
  };
}
