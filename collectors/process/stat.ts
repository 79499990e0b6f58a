import { counterAt, NOT_A_COUNTER, notUnsigned, toNumber } from '../parse.js';
import { ParseError } from '../types.js';
import { unsignedAt } from './digits.js';

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

/** A ProcStat to parse into: every field present, so that all have one object shape. */
export function newProcStat(): ProcStat {
  return {
    pid: 0,
    comm: '',
    state: '',
    ppid: 0,
    flags: 0,
    minflt: 0,
    majflt: 0,
    utime: 0,
    stime: 0,
    numThreads: 0,
    starttime: 0,
    vsizeBytes: 0,
    rssPages: 0,
    processor: undefined,
    blkioTicks: undefined,
  };
}

/**
 * Parses /proc/<pid>/stat. The comm field is delimited by the first '(' and the LAST ')', since comm
 * itself may contain both, and spaces; the fields after it are at fixed positions.
 */
export function parseProcStat(text: string): ProcStat {
  return parseProcStatInto(text, newProcStat());
}

/**
 * parseProcStat into an object of the caller's, overwriting every field: the collector parses every
 * process's stat into one object each tick rather than making a thousand. On a ParseError `into`
 * is left partly written.
 */
export function parseProcStatInto(text: string, into: ProcStat): ProcStat {
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
      // the field's name is made only for the error: made for every field, it was most of this parse's garbage
      const n = counterAt(text, start, end);
      if (n === NOT_A_COUNTER) throw notUnsigned(text, start, end, `stat: field ${field}`);
      statScratch[field] = toNumber(n);
    }
    field++;
    i = end;
  }
  const count = field - 1;
  if (count < LAST_REQUIRED_FIELD)
    throw new ParseError(`stat: ${count} fields, expected at least ${LAST_REQUIRED_FIELD}`);
  const s = statScratch;
  into.pid = pid;
  into.comm = text.slice(open + 1, close);
  into.state = state;
  into.ppid = s[4];
  into.flags = s[9];
  into.minflt = s[10];
  into.majflt = s[12];
  into.utime = s[14];
  into.stime = s[15];
  into.numThreads = s[20];
  into.starttime = s[22];
  into.vsizeBytes = s[23];
  into.rssPages = s[24];
  into.processor = count >= 39 ? s[39] : undefined;
  into.blkioTicks = count >= 42 ? s[42] : undefined;
  return into;
}

export function isKernelThread(stat: ProcStat): boolean {
  // flags is a u32; PF_KTHREAD is bit 21, so the bitwise test is exact
  return (stat.flags & PF_KTHREAD) !== 0;
}
