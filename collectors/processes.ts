import type { Collector } from './collector.js';
import { parseCounter } from './parse.js';
import type { ProcFs, SourceLog } from './procfs.js';
import { type Counter, ParseError } from './types.js';
import { UserNames } from './users.js';

/**
 * Per-process sampling: who causes the load. /proc/<pid>/stat and schedstat are read for every
 * process (cheap, and they rank CPU, memory, threads, faults and run delay over all of them); the
 * costlier status, io, cmdline, fd and limits only for a candidate set chosen each tick. The design
 * and its trade-offs are in docs/families/processes.md. Where the host has no /proc/schedstat, the
 * threads of busy multi-threaded processes are read too (task/<tid>/schedstat), so that run delay
 * counts every thread.
 */

// ---------------------------------------------------------------------------------------------
// Pure parsers

/** Fields of /proc/<pid>/stat that usewatch uses (field numbers per proc(5)). */
export interface ProcStat {
  pid: number;
  /** comm as the kernel prints it (up to 15 bytes, may contain spaces and ')'); not sanitised. */
  comm: string;
  /** Field 3: R S D Z T t X I … */
  state: string;
  ppid: number;
  /** Field 9: PF_* flags; PF_KTHREAD marks kernel threads. */
  flags: number;
  minflt: number;
  majflt: number;
  /** Fields 14/15 in clock ticks (USER_HZ); far below 2^53, so plain numbers. */
  utime: number;
  stime: number;
  numThreads: number;
  /** Field 22: start time in clock ticks since boot; with the pid it identifies a process for its lifetime. */
  starttime: number;
  vsizeBytes: number;
  rssPages: number;
  /** Field 39: CPU last run on (absent on very old kernels). */
  processor?: number;
  /** Field 42: aggregated block I/O delay in ticks; 0 unless kernel.task_delayacct=1. */
  blkioTicks?: number;
}

const PF_KTHREAD = 0x00200000;
const LAST_REQUIRED_FIELD = 24; // rss
const LAST_WANTED_FIELD = 42;
const statScratch = new Float64Array(LAST_WANTED_FIELD + 1);
// Field numbers parsed as numbers; the others are skipped without being read.
const WANTED = new Uint8Array(LAST_WANTED_FIELD + 1);
for (const f of [4, 9, 10, 12, 14, 15, 20, 22, 23, 24, 39, 42]) WANTED[f] = 1;

/**
 * Parses /proc/<pid>/stat. The comm field is delimited by the first '(' and the LAST ')', since comm
 * itself may contain both, and spaces; the fields after it are at fixed positions.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 2 || close < open || text.charCodeAt(open - 1) !== 32)
    throw new ParseError('stat: no "pid (comm)" prefix');
  const pid = unsignedAt(text, 0, open - 1, 'stat: pid');
  let field = 3;
  let i = close + 1;
  let state = '';
  const textEnd = text.charCodeAt(text.length - 1) === 10 ? text.length - 1 : text.length;
  while (field <= LAST_WANTED_FIELD && i < textEnd) {
    if (text.charCodeAt(i) !== 32) break;
    const start = i + 1;
    let end = text.indexOf(' ', start);
    if (end < 0 || end > textEnd) end = textEnd;
    if (end === start) throw new ParseError(`stat: field ${field} is empty`);
    if (field === 3) state = text.slice(start, end);
    else if (WANTED[field] === 1) {
      const n = digitsAt(text, start, end);
      if (n < 0) throw notUnsigned(text, start, end, `stat: field ${field}`);
      statScratch[field] = n;
    }
    field++;
    i = end;
  }
  const count = field - 1;
  if (count < LAST_REQUIRED_FIELD)
    throw new ParseError(`stat: ${count} fields, expected at least ${LAST_REQUIRED_FIELD}`);
  const s = statScratch;
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid: s[4],
    flags: s[9],
    minflt: s[10],
    majflt: s[12],
    utime: s[14],
    stime: s[15],
    numThreads: s[20],
    starttime: s[22],
    vsizeBytes: s[23],
    rssPages: s[24],
  };
  if (count >= 39) stat.processor = s[39];
  if (count >= 42) stat.blkioTicks = s[42];
  return stat;
}

export function isKernelThread(stat: ProcStat): boolean {
  // flags is a u32; PF_KTHREAD is bit 21, so the bitwise test is exact
  return (stat.flags & PF_KTHREAD) !== 0;
}

/** Fields of /proc/<pid>/status that usewatch uses; each is absent when its line is. */
export interface ProcStatus {
  name?: string;
  /** Effective uid (second column of Uid:), as ps and top show. */
  uid?: number;
  vmRssKiB?: number;
  vmSwapKiB?: number;
  threads?: number;
  voluntaryCtxtSwitches?: number;
  nonvoluntaryCtxtSwitches?: number;
  /** `Kthread:` line (kernel 6.x); undefined on older kernels. */
  kthread?: boolean;
}

/** True when text[start, colon) is exactly `key`; compares in place so that no key string is sliced per line. */
function keyIs(text: string, start: number, colon: number, key: string): boolean {
  return colon - start === key.length && text.startsWith(key, start);
}

/**
 * Parses /proc/<pid>/status by key (never by position: lines come and go across kernels). Keys are
 * matched in place: slicing each of the ~57 keys cost about 1 KB of garbage per process per tick.
 */
export function parseProcStatus(text: string): ProcStatus {
  const out: ProcStatus = {};
  let lineStart = 0;
  let known = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const colon = text.indexOf(':', lineStart);
    if (colon > lineStart && colon < lineEnd) {
      const v = skipBlanks(text, colon + 1, lineEnd);
      if (keyIs(text, lineStart, colon, 'Name')) {
        out.name = text.slice(v, lineEnd);
        known++;
      } else if (keyIs(text, lineStart, colon, 'Uid')) {
        const real = tokenEnd(text, v, lineEnd);
        const eff = skipBlanks(text, real, lineEnd);
        const effEnd = tokenEnd(text, eff, lineEnd);
        out.uid =
          effEnd > eff ? unsignedAt(text, eff, effEnd, 'status: Uid') : unsignedAt(text, v, real, 'status: Uid');
        known++;
      } else if (keyIs(text, lineStart, colon, 'VmRSS')) {
        out.vmRssKiB = unsignedAt(text, v, tokenEnd(text, v, lineEnd), 'status: VmRSS');
      } else if (keyIs(text, lineStart, colon, 'VmSwap')) {
        out.vmSwapKiB = unsignedAt(text, v, tokenEnd(text, v, lineEnd), 'status: VmSwap');
      } else if (keyIs(text, lineStart, colon, 'Threads')) {
        out.threads = unsignedAt(text, v, lineEnd, 'status: Threads');
      } else if (keyIs(text, lineStart, colon, 'voluntary_ctxt_switches')) {
        out.voluntaryCtxtSwitches = unsignedAt(text, v, lineEnd, 'status: voluntary_ctxt_switches');
      } else if (keyIs(text, lineStart, colon, 'nonvoluntary_ctxt_switches')) {
        out.nonvoluntaryCtxtSwitches = unsignedAt(text, v, lineEnd, 'status: nonvoluntary_ctxt_switches');
      } else if (keyIs(text, lineStart, colon, 'Kthread')) {
        out.kthread = unsignedAt(text, v, lineEnd, 'status: Kthread') === 1;
      }
    }
    lineStart = lineEnd + 1;
  }
  if (known === 0) throw new ParseError('status: neither Name: nor Uid: line');
  return out;
}

/** /proc/<pid>/io, cumulative bytes since the process started (64-bit counters). */
export interface ProcIo {
  /** Bytes passed to read()-like calls, page cache hits and ttys included. */
  rchar: Counter;
  wchar: Counter;
  /** Bytes fetched from the storage layer. */
  readBytes: Counter;
  /** Bytes dirtied for writeback (counted when dirtied, not when written). */
  writeBytes: Counter;
  /** Dirtied bytes that were truncated before writeback; they offset writeBytes. */
  cancelledWriteBytes: Counter;
}

export function parseProcIo(text: string): ProcIo {
  let rchar: Counter | undefined;
  let wchar: Counter | undefined;
  let readBytes: Counter | undefined;
  let writeBytes: Counter | undefined;
  let cancelled: Counter = 0;
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const colon = text.indexOf(':', lineStart);
    if (colon > lineStart && colon < lineEnd) {
      const v = skipBlanks(text, colon + 1, lineEnd);
      if (keyIs(text, lineStart, colon, 'rchar')) rchar = counterAt(text, lineStart, colon, v, lineEnd);
      else if (keyIs(text, lineStart, colon, 'wchar')) wchar = counterAt(text, lineStart, colon, v, lineEnd);
      else if (keyIs(text, lineStart, colon, 'read_bytes')) readBytes = counterAt(text, lineStart, colon, v, lineEnd);
      else if (keyIs(text, lineStart, colon, 'write_bytes')) writeBytes = counterAt(text, lineStart, colon, v, lineEnd);
      else if (keyIs(text, lineStart, colon, 'cancelled_write_bytes'))
        cancelled = counterAt(text, lineStart, colon, v, lineEnd);
    }
    lineStart = lineEnd + 1;
  }
  if (rchar === undefined || wchar === undefined || readBytes === undefined || writeBytes === undefined) {
    throw new ParseError('io: expected rchar, wchar, read_bytes and write_bytes lines');
  }
  return { rchar, wchar, readBytes, writeBytes, cancelledWriteBytes: cancelled };
}

/**
 * The counter of an io line at text[v, end). Up to 15 digits (always below 2^53, the common case) it
 * is read in place; anything else goes through parseCounter for the bigint and the error message.
 */
function counterAt(text: string, keyStart: number, colon: number, v: number, end: number): Counter {
  if (end - v <= 15) {
    const n = digitsAt(text, v, end);
    if (n >= 0) return n;
  }
  return parseCounter(text.slice(v, end), `io: ${text.slice(keyStart, colon)}`);
}

/** /proc/<pid>/schedstat (the thread group leader) or /proc/<pid>/task/<tid>/schedstat: one task's. */
export interface ProcSchedstat {
  /** Time spent on a CPU, ns. */
  runNs: Counter;
  /** Time spent runnable but waiting for a CPU, ns. */
  runDelayNs: Counter;
}

export function parseSchedstat(text: string): ProcSchedstat {
  const a = tokenEnd(text, 0, text.length);
  const b = skipBlanks(text, a, text.length);
  const bEnd = tokenEnd(text, b, text.length);
  if (a === 0 || bEnd === b) throw new ParseError('schedstat: expected "run_ns run_delay_ns timeslices"');
  return {
    runNs: parseCounter(text.slice(0, a), 'schedstat: run_ns'),
    runDelayNs: parseCounter(text.slice(b, bEnd), 'schedstat: run_delay_ns'),
  };
}

/** Joins the NUL-separated arguments of /proc/<pid>/cmdline with spaces (empty for kernel threads and zombies). */
export function parseCmdline(text: string, maxChars = 4096): string {
  let end = Math.min(text.length, maxChars);
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  return text.slice(0, end).replaceAll('\0', ' ');
}

const MAX_OPEN_FILES = 'Max open files';

/** Soft "Max open files" limit from /proc/<pid>/limits; undefined when unlimited or absent. */
export function parseMaxOpenFiles(text: string): number | undefined {
  const at = text.indexOf(MAX_OPEN_FILES);
  if (at < 0) return undefined;
  const v = skipBlanks(text, at + MAX_OPEN_FILES.length, text.length);
  const end = tokenEnd(text, v, text.length);
  if (text.startsWith('unlimited', v)) return undefined;
  return unsignedAt(text, v, end, 'limits: Max open files');
}

function skipBlanks(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

function tokenEnd(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10) break;
    i++;
  }
  return i;
}

/** Unsigned decimal in text[start, end) without slicing; above 2^53 it rounds, which gauges tolerate. */
function unsignedAt(text: string, start: number, end: number, what: string): number {
  const n = digitsAt(text, start, end);
  if (n < 0) throw notUnsigned(text, start, end, what);
  return n;
}

function notUnsigned(text: string, start: number, end: number, what: string): ParseError {
  return new ParseError(`${what}: not an unsigned integer: "${text.slice(start, Math.min(end, start + 24))}"`);
}

/** As unsignedAt, but −1 for anything that is not 1–20 digits, so that hot loops build no message. */
function digitsAt(text: string, start: number, end: number): number {
  if (end <= start || end - start > 20) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** procfs text is read as latin1 (one char per byte); comm and cmdline are usually UTF-8. */
function utf8(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return Buffer.from(text, 'latin1').toString('utf8');
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Sample

/**
 * One process on one tick: its stat fields (comm decoded as UTF-8, flags folded into `kthread`) plus
 * detail fields, present only when the candidate set included it.
 */
export interface ProcessSample extends Omit<ProcStat, 'flags'> {
  /** `${pid}:${starttime}`: a reused pid gets a new key, so no rate is ever computed across two processes. */
  key: string;
  kthread: boolean;
  /**
   * Run delay (schedstat), a counter for its deltas only: the leader thread's, read for every
   * process; on a host without /proc/schedstat, that of all its threads while it is busy (see
   * threadReadsPerTick), so that the sum over processes stands in for the per-CPU figure.
   */
  runDelayNs?: Counter;
  /** Command line, not sanitised; read once per process lifetime (again after an exec changes comm). */
  cmd?: string;
  uid?: number;
  user?: string;
  /** Set when status was read this tick. */
  vmSwapKiB?: number;
  voluntaryCtxtSwitches?: number;
  nonvoluntaryCtxtSwitches?: number;
  /** Set when io was read this tick (and allowed). */
  io?: ProcIo;
  /** Open fds and soft limit, from the last time they were read (at most fdEveryTicks old for candidates). */
  fds?: number;
  fdLimit?: number;
}

export interface ProcessesSample {
  /** Every process listed this tick, by key. */
  processes: Map<string, ProcessSample>;
  /** Bytes per page, for rssPages. */
  pageSize: number;
  /** How many processes had their detail files (status, io, …) read this tick. */
  detailed: number;
}

// ---------------------------------------------------------------------------------------------
// Collector

export interface ProcessCollectorOptions {
  /** Candidates taken per measure (CPU, RSS, threads, faults, run delay, io, fds); about 3 × topN. */
  perMeasure?: number;
  /** Further processes whose details are read each tick, in pid order, so that all are looked at in turn. */
  roundRobin?: number;
  /** Fds are counted at most this often per candidate (every tick for the top fd users). */
  fdEveryTicks?: number;
  /** limits are re-read this often per process (prlimit can change them). */
  limitsEveryTicks?: number;
  /**
   * status (owner uid, VmRSS for the page size, VmSwap, context switches) is read when a process is
   * first a candidate and after an exec, then again after 1, 2, 4… ticks, and from then on at most
   * this often: of what it holds only the owner matters per tick, and it changes through setuid,
   * which daemons call soon after they start.
   */
  statusEveryTicks?: number;
  /** Bytes per page; learnt from status VmRSS against stat rss when not given. */
  pageSize?: number;
  /**
   * Processes whose stat, schedstat and io stay open between ticks (three descriptors each); the rest
   * are opened and closed every tick. Also held to a quarter of the agent's soft open-file limit.
   */
  keepOpen?: number;
  /**
   * Upper bound on /proc/<pid>/task/<tid>/schedstat reads per tick. They are made only where the
   * host lacks /proc/schedstat, for multi-threaded processes that used CPU or had threads waiting
   * on the tick before; a process whose threads no longer fit is counted by its leader alone.
   */
  threadReadsPerTick?: number;
}

/** What the collector remembers of a process between ticks (for deltas that choose candidates, and caches). */
interface Tracked {
  seenTick: number;
  cpuTicks: number;
  majflt: number;
  /** The leader's own schedstat run delay, as last read. */
  leaderRunDelayNs?: Counter;
  /** The run delay counter given to the sample: the leader's increments, or all threads' while they are read. */
  runDelayNs?: number;
  /** Each thread's run delay at the last tick that read them all; undefined when that tick did not. */
  threadDelays?: Map<string, number>;
  /** Whether the last tick's increment from the threads was above 0 (threads were waiting). */
  threadsWaited: boolean;
  comm: string;
  cmd?: string;
  uid?: number;
  ioTotal?: number;
  /** Increase of read+write bytes between its last two io reads, per tick: keeps I/O users in the candidate set. */
  ioActivity: number;
  /** From status (the Kthread: line of 6.x kernels); PF_KTHREAD in stat otherwise. */
  kthread?: boolean;
  statusTick: number;
  /** Ticks until status is read again: doubles from 1 after each read, up to statusEveryTicks. */
  statusGap: number;
  fds?: number;
  fdLimit?: number;
  fdTick: number;
  limitsTick: number;
}

/** Per-file outcome counts of one tick, summarised in one report instead of one per pid. */
class FileTally {
  denied = 0;
  failed = 0;
  ok = 0;
  firstFailure = '';

  /** A read error other than vanished or denied (EIO…), with the errno as reason. */
  failRead(rel: string, reason: string): void {
    this.failed++;
    if (this.firstFailure === '') this.firstFailure = `${rel}: ${reason}`;
  }

  fail(rel: string, err: unknown): void {
    this.failRead(rel, err instanceof ParseError ? err.message : `parser error: ${(err as Error)?.message ?? err}`);
  }
}

const PAGE_SIZES = [4096, 16384, 65536];
/** Per-pid files re-read through descriptors kept open (see keepOpen). */
const KEPT_FILES = ['stat', 'schedstat', 'io'];

const SCHEDSTAT_MISSES_TO_GIVE_UP = 3;
/**
 * Each thread read is an open, a read and a close (about 12 µs of CPU here, measured): 1024 a tick bounds the
 * fallback's cost near 12 ms on a host full of busy multi-threaded processes.
 */
const THREAD_READS_PER_TICK = 1024;

/**
 * How many processes may have their files kept open: a quarter of the soft "Max open files" of the
 * agent itself goes to them, so that sockets, the recorder and the other collectors always have room.
 * Without a readable limit (a fixture root), `atMost`.
 */
function keptProcessesFor(fs: ProcFs, atMost: number): number {
  const r = fs.readOnce('proc/self/limits', true);
  if (!r.ok) return atMost;
  let limit: number | undefined;
  try {
    limit = parseMaxOpenFiles(r.text);
  } catch {
    return atMost;
  }
  return limit === undefined ? atMost : Math.min(atMost, Math.floor(limit / 4 / KEPT_FILES.length));
}

/** A single-record per-pid file, through its kept descriptor when the process is one of those kept. */
function readPidFile(fs: ProcFs, rel: string, keep: boolean) {
  return keep ? fs.readKept(rel, true) : fs.readOnce(rel, true);
}

export function createProcessCollector(options: ProcessCollectorOptions = {}): Collector<ProcessesSample> {
  const perMeasure = options.perMeasure ?? 15;
  const roundRobin = options.roundRobin ?? 64;
  const fdEveryTicks = options.fdEveryTicks ?? 5;
  const limitsEveryTicks = options.limitsEveryTicks ?? 60;
  const statusEveryTicks = options.statusEveryTicks ?? 30;
  const keepOpenAtMost = options.keepOpen ?? 2048;
  const threadReadsPerTick = options.threadReadsPerTick ?? THREAD_READS_PER_TICK;
  // Whether the host has /proc/schedstat (deriveCpu takes run delay from it): decided at the first read.
  let hostSchedstat: boolean | undefined;
  let threadReadsLeft = 0;
  // Decided at the first read, from the agent's own soft limit (the ProcFs root's proc/self/limits).
  let keepOpen: number | undefined;
  let pageSize = options.pageSize ?? 4096;
  let pageSizeKnown = options.pageSize !== undefined;

  const tracked = new Map<string, Tracked>();
  // Directories whose stat, schedstat and io descriptors stay open between ticks, with the tick that
  // last read them: an open+read+close of a per-pid file costs about three times a pread of a kept one.
  const keptDirs = new Map<string, number>();
  let users: UserNames | undefined;
  let tick = 0;
  let rrCursor = -1;
  // schedstat is given up on only when it never once existed (kernel without CONFIG_SCHED_INFO):
  // processes exiting between the stat and schedstat reads must not switch it off
  let schedstatMisses = 0;
  let schedstatSeen = false;
  let schedstatAvailable = true;
  let ioEverAllowed = false;

  function learnPageSize(rssPages: number, vmRssKiB: number | undefined): void {
    if (pageSizeKnown || vmRssKiB === undefined || rssPages < 1024) return;
    const ratio = (vmRssKiB * 1024) / rssPages;
    pageSize = PAGE_SIZES.reduce((best, p) => (Math.abs(p - ratio) < Math.abs(best - ratio) ? p : best));
    pageSizeKnown = true;
  }

  return {
    name: 'processes',
    read(log: SourceLog): ProcessesSample | undefined {
      const fs = log.fs;
      tick++;
      users ??= new UserNames(fs);
      users.nextTick();
      keepOpen ??= keptProcessesFor(fs, keepOpenAtMost);
      const listing = fs.listDir('proc');
      if (!listing.ok) {
        // EMFILE among the causes: what is kept is let go, so that the agent can open files again
        releaseKept(fs, () => true);
        log.report('proc', listing.status, listing.reason);
        return undefined;
      }

      hostSchedstat ??= fs.readOnce('proc/schedstat', true).ok;
      threadReadsLeft = hostSchedstat ? 0 : threadReadsPerTick;
      const statT = new FileTally();
      const schedT = new FileTally();
      const rows: Row[] = [];
      let sorted = true;
      let lastPid = -1;
      for (const name of listing.names) {
        const c0 = name.charCodeAt(0);
        if (c0 < 48 || c0 > 57) continue;
        const rel = `proc/${name}/stat`;
        const keep = keptDirs.size < keepOpen || keptDirs.has(name);
        const r = readPidFile(fs, rel, keep);
        if (!r.ok) {
          if (r.status === 'denied') statT.denied++;
          else if (r.status === 'failed') statT.failRead(rel, r.reason);
          continue; // vanished since readdir: normal
        }
        if (keep) keptDirs.set(name, tick);
        let stat: ProcStat;
        try {
          stat = parseProcStat(r.text);
        } catch (err) {
          statT.fail(rel, err);
          continue;
        }
        const leaderRunDelayNs = schedstatAvailable ? readRunDelay(fs, name, keep, schedT) : undefined;
        const key = `${stat.pid}:${stat.starttime}`;
        const comm = utf8(stat.comm);
        const cpuTicks = stat.utime + stat.stime;
        let t = tracked.get(key);
        const isNew = t === undefined;
        let dCpu = 0;
        let dMaj = 0;
        let dRun = 0;
        if (t === undefined) {
          t = {
            seenTick: tick,
            cpuTicks,
            majflt: stat.majflt,
            leaderRunDelayNs,
            runDelayNs: leaderRunDelayNs === undefined ? undefined : Number(leaderRunDelayNs),
            threadDelays: undefined,
            threadsWaited: false,
            comm,
            ioActivity: 0,
            statusTick: -Infinity,
            statusGap: 1,
            fdTick: -Infinity,
            limitsTick: -Infinity,
          };
          tracked.set(key, t);
        } else {
          dCpu = cpuTicks - t.cpuTicks;
          dMaj = stat.majflt - t.majflt;
          t.seenTick = tick;
          t.cpuTicks = cpuTicks;
          t.majflt = stat.majflt;
        }
        // a process first seen counts as busy, so that its threads have a baseline by the next tick
        const busy = dCpu > 0 || t.threadsWaited || isNew;
        const threads =
          stat.numThreads > 1 && leaderRunDelayNs !== undefined && busy && threadReadsLeft > 0
            ? readThreadDelays(fs, name, schedT)
            : undefined;
        dRun = advanceRunDelay(t, leaderRunDelayNs, threads);
        const runDelayNs = t.runDelayNs;
        const sample: ProcessSample = {
          key,
          pid: stat.pid,
          ppid: stat.ppid,
          comm,
          state: stat.state,
          kthread: isKernelThread(stat),
          minflt: stat.minflt,
          majflt: stat.majflt,
          utime: stat.utime,
          stime: stat.stime,
          numThreads: stat.numThreads,
          starttime: stat.starttime,
          vsizeBytes: stat.vsizeBytes,
          rssPages: stat.rssPages,
          processor: stat.processor,
          blkioTicks: stat.blkioTicks,
          runDelayNs,
          // declared up front so that every sample has one object shape, whatever is filled in later
          cmd: undefined,
          uid: undefined,
          user: undefined,
          vmSwapKiB: undefined,
          voluntaryCtxtSwitches: undefined,
          nonvoluntaryCtxtSwitches: undefined,
          io: undefined,
          fds: undefined,
          fdLimit: undefined,
        };
        if (sorted && stat.pid < lastPid) sorted = false;
        lastPid = stat.pid;
        rows.push({ sample, tracked: t, dir: name, dCpu, dMaj, dRun, candidate: false });
      }
      if (!sorted) rows.sort((a, b) => a.sample.pid - b.sample.pid);
      if (schedstatAvailable && !schedstatSeen && schedstatMisses >= SCHEDSTAT_MISSES_TO_GIVE_UP) {
        schedstatAvailable = false;
        for (const row of rows) row.sample.runDelayNs = undefined;
      }

      const candidates = chooseCandidates(rows, perMeasure, roundRobin, rrCursor);
      rrCursor = candidates.rrCursor;

      const statusT = new FileTally();
      const ioT = new FileTally();
      const fdT = new FileTally();
      const limitsT = new FileTally();
      for (const row of candidates.rows) {
        const { sample, tracked: t, dir } = row;
        const keep = keptDirs.has(dir);
        // kworkers rename themselves after the work they run: for kernel threads comm is no sign of exec
        const execd = t.comm !== sample.comm && !sample.kthread;
        if (execd || tick - t.statusTick >= t.statusGap) {
          const status = readParsed(fs, `proc/${dir}/status`, false, parseProcStatus, statusT);
          if (status !== undefined) {
            learnPageSize(sample.rssPages, status.vmRssKiB);
            t.uid = status.uid;
            t.kthread = status.kthread;
            // Daemons drop privileges soon after they start: re-read after 1, 2, 4… ticks, then every statusEveryTicks.
            t.statusGap = execd ? 1 : Math.min(t.statusGap * 2, statusEveryTicks);
            sample.vmSwapKiB = status.vmSwapKiB;
            sample.voluntaryCtxtSwitches = status.voluntaryCtxtSwitches;
            sample.nonvoluntaryCtxtSwitches = status.nonvoluntaryCtxtSwitches;
          }
          t.statusTick = tick;
        }
        if (t.kthread !== undefined) sample.kthread = t.kthread;
        const io = readParsed(fs, `proc/${dir}/io`, keep, parseProcIo, ioT);
        if (io !== undefined) {
          sample.io = io;
          const total = Number(io.readBytes) + Number(io.writeBytes);
          if (t.ioTotal !== undefined) t.ioActivity = Math.max(0, total - t.ioTotal);
          t.ioTotal = total;
        }
        if (sample.kthread) t.cmd = '';
        else if (t.cmd === undefined || execd) {
          const r = fs.readOnce(`proc/${dir}/cmdline`);
          if (r.ok) t.cmd = utf8(parseCmdline(r.text));
        }
        t.comm = sample.comm;
        // kernel threads share init's descriptor table, which holds none: their fd/ is always empty
        if (sample.kthread) t.fds = 0;
        else if (tick - t.fdTick >= fdEveryTicks || candidates.fdSticky.has(row)) {
          const fds = fs.countFds(`proc/${dir}/fd`);
          if (fds.ok) {
            fdT.ok++;
            t.fds = fds.count;
          } else if (fds.status === 'denied') fdT.denied++;
          t.fdTick = tick;
          if (t.fds !== undefined && tick - t.limitsTick >= limitsEveryTicks) {
            const r = fs.readOnce(`proc/${dir}/limits`, true);
            if (r.ok) {
              try {
                t.fdLimit = parseMaxOpenFiles(r.text);
              } catch (err) {
                limitsT.fail(`proc/${dir}/limits`, err);
              }
            }
            t.limitsTick = tick;
          }
        }
      }
      if (ioT.ok > 0) ioEverAllowed = true;

      const processes = new Map<string, ProcessSample>();
      for (const row of rows) {
        const sample = row.sample;
        const t = row.tracked;
        if (t.cmd !== undefined) sample.cmd = t.cmd;
        if (t.uid !== undefined) {
          sample.uid = t.uid;
          sample.user = users.name(t.uid);
        }
        if (t.fds !== undefined) {
          sample.fds = t.fds;
          sample.fdLimit = t.fdLimit;
        }
        processes.set(sample.key, sample);
      }
      tracked.forEach((t, key) => {
        if (t.seenTick !== tick) tracked.delete(key);
      });
      releaseKept(fs, (seenTick) => seenTick !== tick);

      summarise(log, rows.length, candidates.rows.length, { statT, schedT, statusT, ioT, fdT, limitsT }, ioEverAllowed);
      if (!schedstatAvailable)
        log.report('proc/[pid]/schedstat', 'absent', 'ENOENT (kernel without CONFIG_SCHED_INFO)');
      return { processes, pageSize, detailed: candidates.rows.length };
    },
  };

  function releaseKept(fs: ProcFs, gone: (seenTick: number) => boolean): void {
    keptDirs.forEach((seenTick, dir) => {
      if (!gone(seenTick)) return;
      for (const file of KEPT_FILES) fs.release(`proc/${dir}/${file}`);
      keptDirs.delete(dir);
    });
  }

  /**
   * Each thread's run delay by tid, or undefined when the process is gone or its threads exceed the
   * reads left this tick. A thread that exits between the listing and its read is left out.
   */
  function readThreadDelays(fs: ProcFs, dir: string, tally: FileTally): Map<string, number> | undefined {
    const listing = fs.listDir(`proc/${dir}/task`);
    if (!listing.ok || listing.names.length > threadReadsLeft) return undefined;
    threadReadsLeft -= listing.names.length;
    const delays = new Map<string, number>();
    for (const tid of listing.names) {
      const rel = `proc/${dir}/task/${tid}/schedstat`;
      const r = fs.readOnce(rel, true);
      if (!r.ok) {
        if (r.status === 'failed') tally.failRead(rel, r.reason);
        continue;
      }
      const delay = parseCounted(rel, r.text, parseRunDelay, tally);
      if (delay !== undefined) delays.set(tid, Number(delay));
    }
    return delays;
  }

  function readRunDelay(fs: ProcFs, dir: string, keep: boolean, tally: FileTally): Counter | undefined {
    const rel = `proc/${dir}/schedstat`;
    const r = readPidFile(fs, rel, keep);
    if (!r.ok) {
      if (r.reason === 'ENOENT') schedstatMisses++;
      else if (r.status === 'denied') tally.denied++;
      return undefined;
    }
    schedstatSeen = true;
    return parseCounted(rel, r.text, parseRunDelay, tally);
  }
}

/**
 * Moves a process's run delay counter on by this tick's increment and returns it: the sum of each
 * thread's increase when its threads were read on this tick and the one before (a thread not there
 * before was born in between, so all of its delay is new), else the leader's increase.
 */
function advanceRunDelay(t: Tracked, leader: Counter | undefined, threads: Map<string, number> | undefined): number {
  if (leader === undefined) {
    t.leaderRunDelayNs = undefined;
    t.runDelayNs = undefined;
    t.threadDelays = undefined;
    t.threadsWaited = false;
    return 0;
  }
  let increment = 0;
  if (threads !== undefined && t.threadDelays !== undefined) {
    for (const [tid, delay] of threads) {
      const before = t.threadDelays.get(tid);
      increment += before === undefined ? delay : Math.max(0, delay - before);
    }
  } else if (t.leaderRunDelayNs !== undefined) {
    increment = Math.max(0, Number(leader) - Number(t.leaderRunDelayNs));
  }
  t.threadsWaited = threads !== undefined && increment > 0;
  t.runDelayNs = t.runDelayNs === undefined ? Number(leader) : t.runDelayNs + increment;
  t.leaderRunDelayNs = leader;
  t.threadDelays = threads;
  return increment;
}

interface Row {
  sample: ProcessSample;
  tracked: Tracked;
  /** The directory name under proc (the pid as listed). */
  dir: string;
  dCpu: number;
  dMaj: number;
  dRun: number;
  candidate: boolean;
}

function readParsed<T>(
  fs: ProcFs,
  rel: string,
  keep: boolean,
  parser: (text: string) => T,
  tally: FileTally,
): T | undefined {
  const r = readPidFile(fs, rel, keep);
  if (!r.ok) {
    if (r.status === 'denied') tally.denied++;
    else if (r.status === 'failed') tally.failRead(rel, r.reason);
    return undefined;
  }
  return parseCounted(rel, r.text, parser, tally);
}

/** Parses a file read, counting it in the tally as parsed or failed. */
function parseCounted<T>(rel: string, text: string, parser: (text: string) => T, tally: FileTally): T | undefined {
  try {
    const value = parser(text);
    tally.ok++;
    return value;
  } catch (err) {
    tally.fail(rel, err);
    return undefined;
  }
}

function parseRunDelay(text: string): Counter {
  return parseSchedstat(text).runDelayNs;
}

/** Keeps the k rows with the highest positive score, in one pass without sorting everything. */
class TopRows {
  readonly rows: Row[] = [];
  private readonly scores: number[] = [];

  constructor(private readonly k: number) {}

  offer(row: Row, score: number): void {
    if (!(score > 0) || this.k <= 0) return;
    const n = this.rows.length;
    if (n === this.k && score <= this.scores[n - 1]) return;
    let i = n === this.k ? n - 1 : n;
    while (i > 0 && this.scores[i - 1] < score) {
      this.rows[i] = this.rows[i - 1];
      this.scores[i] = this.scores[i - 1];
      i--;
    }
    this.rows[i] = row;
    this.scores[i] = score;
  }
}

interface CandidateSet {
  rows: Row[];
  fdSticky: Set<Row>;
  rrCursor: number;
}

/**
 * Chooses whose detail files to read this tick: D-state processes, the top `perMeasure` by ΔCPU,
 * RSS, threads, Δmajor faults and Δrun delay (all known from stat/schedstat), the recent I/O and
 * fd users (so their rankings stay stable), plus a round-robin slice of the rest in pid order.
 */
function chooseCandidates(rows: Row[], perMeasure: number, roundRobin: number, rrCursor: number): CandidateSet {
  const cpu = new TopRows(perMeasure);
  const rss = new TopRows(perMeasure);
  const threads = new TopRows(perMeasure);
  const faults = new TopRows(perMeasure);
  const runDelay = new TopRows(perMeasure);
  const io = new TopRows(perMeasure);
  const fd = new TopRows(perMeasure);
  const chosen: Row[] = [];
  for (const row of rows) {
    if (row.sample.state === 'D') {
      row.candidate = true;
      chosen.push(row);
    }
    cpu.offer(row, row.dCpu);
    rss.offer(row, row.sample.rssPages);
    threads.offer(row, row.sample.numThreads);
    faults.offer(row, row.dMaj);
    runDelay.offer(row, row.dRun);
    io.offer(row, row.tracked.ioActivity);
    const t = row.tracked;
    // by share of the limit, as the fd finding is; with no known limit the count only breaks ties
    if (t.fds !== undefined) fd.offer(row, t.fdLimit ? t.fds / t.fdLimit : t.fds / 1e9);
  }
  for (const top of [cpu, rss, threads, faults, runDelay, io, fd]) {
    for (const row of top.rows) {
      if (row.candidate) continue;
      row.candidate = true;
      chosen.push(row);
    }
  }
  let taken = 0;
  let cursor = rrCursor;
  for (let pass = 0; pass < 2 && taken < roundRobin; pass++) {
    for (const row of rows) {
      if (taken >= roundRobin) break;
      if (row.candidate || (pass === 0 && row.sample.pid <= rrCursor)) continue;
      row.candidate = true;
      chosen.push(row);
      cursor = row.sample.pid;
      taken++;
    }
  }
  return { rows: chosen, fdSticky: new Set(fd.rows), rrCursor: cursor };
}

interface Tallies {
  statT: FileTally;
  schedT: FileTally;
  statusT: FileTally;
  ioT: FileTally;
  fdT: FileTally;
  limitsT: FileTally;
}

/** One report for the family; per-pid denials and vanishings are normal and only counted. */
function summarise(log: SourceLog, listed: number, detailed: number, t: Tallies, ioEverAllowed: boolean): void {
  const failures: [string, FileTally][] = [
    ['stat', t.statT],
    ['schedstat', t.schedT],
    ['status', t.statusT],
    ['io', t.ioT],
    ['limits', t.limitsT],
  ];
  for (const [file, tally] of failures) {
    if (tally.failed > 0) {
      log.report(`proc/[pid]/${file}`, 'failed', `${tally.failed} unreadable, first: ${tally.firstFailure}`);
    }
  }
  if (t.ioT.denied > 0 && !ioEverAllowed) {
    log.report(
      'proc/[pid]/io',
      'denied',
      `EACCES for all ${t.ioT.denied} processes tried (per-process I/O needs root or CAP_SYS_PTRACE)`,
    );
  }
  const notes: string[] = [];
  if (t.ioT.denied > 0 && ioEverAllowed) notes.push(`io denied for ${t.ioT.denied}`);
  if (t.fdT.denied > 0) notes.push(`fd denied for ${t.fdT.denied}`);
  if (t.statT.denied > 0) notes.push(`stat denied for ${t.statT.denied}`);
  const reason = `${listed} processes, ${detailed} read in detail${notes.length > 0 ? `; ${notes.join(', ')}` : ''}`;
  if (listed === 0) log.report('proc/[pid]', 'absent', 'no readable process directory under proc');
  else log.report('proc/[pid]', 'ok', reason);
}
