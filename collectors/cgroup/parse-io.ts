/**
 * I/O files of a cgroup, summed over its devices: v2 io.stat, v1 blkio.throttle.io_service_bytes
 * and blkio.throttle.io_serviced.
 */
import { addCounters, counterAt, equalsAt, NOT_A_COUNTER, notUnsigned, Scanner } from '../parse.js';
import { type Counter, ParseError } from '../types.js';

/** Bytes and requests of a cgroup, cumulative, over all devices. */
export interface IoTotals {
  readBytes: Counter;
  writeBytes: Counter;
  reads: Counter;
  writes: Counter;
}

const IO_STAT_KEYS = ['rbytes', 'wbytes', 'rios', 'wios'] as const;

/**
 * v2 io.stat: a line per device, "MAJ:MIN rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…", summed.
 * Keys other than those four (discards, and io.cost's or io.latency's additions, some of them
 * decimals) are skipped unread. A cgroup that has done no I/O has an empty file: all zero.
 */
export function parseIoStat(text: string): IoTotals {
  const sums: Counter[] = [0, 0, 0, 0];
  const s = new Scanner(text);
  while (s.nextLine()) {
    if (!s.nextField()) continue;
    if (!isDevice(text, s.start, s.end)) {
      throw new ParseError(`io.stat line ${s.lineNo}: expected "MAJ:MIN", got "${s.field()}"`);
    }
    while (s.nextField()) {
      const eq = text.indexOf('=', s.start);
      if (eq < 0 || eq >= s.end)
        throw new ParseError(`io.stat line ${s.lineNo}: expected key=value, got "${s.field()}"`);
      const k = ioStatKey(text, s.start, eq);
      if (k < 0) continue;
      const v = counterAt(text, eq + 1, s.end);
      if (v === NOT_A_COUNTER) throw notUnsigned(text, eq + 1, s.end, `io.stat line ${s.lineNo}: ${IO_STAT_KEYS[k]}`);
      sums[k] = addCounters(sums[k], v);
    }
  }
  return { readBytes: sums[0], writeBytes: sums[1], reads: sums[2], writes: sums[3] };
}

function ioStatKey(text: string, start: number, end: number): number {
  for (let k = 0; k < IO_STAT_KEYS.length; k++) if (equalsAt(text, start, end, IO_STAT_KEYS[k])) return k;
  return -1;
}

/** text[start, end) is "MAJ:MIN". */
function isDevice(text: string, start: number, end: number): boolean {
  const colon = text.indexOf(':', start);
  if (colon <= start || colon >= end - 1) return false;
  return counterAt(text, start, colon) !== NOT_A_COUNTER && counterAt(text, colon + 1, end) !== NOT_A_COUNTER;
}

/** One v1 blkio file summed over devices: bytes (io_service_bytes) or requests (io_serviced). */
export interface ReadWrite {
  read: Counter;
  write: Counter;
}

/**
 * v1 blkio.throttle.io_service_bytes or io_serviced: "MAJ:MIN Read|Write|Sync|Async|Discard|Total N"
 * lines per device, then "Total N". Read and Write are summed over devices; the totals are not
 * used, since they count discards too.
 */
export function parseBlkio(text: string, file: string): ReadWrite {
  let read: Counter = 0;
  let write: Counter = 0;
  const s = new Scanner(text);
  while (s.nextLine()) {
    if (!s.nextField()) continue;
    if (s.fieldIs('Total')) {
      if (s.nextCounter() === NOT_A_COUNTER) throw s.notCounter(`${file} line ${s.lineNo}: Total`);
      continue;
    }
    if (!isDevice(text, s.start, s.end)) {
      throw new ParseError(`${file} line ${s.lineNo}: expected "MAJ:MIN" or "Total", got "${s.field()}"`);
    }
    if (!s.nextField()) throw new ParseError(`${file} line ${s.lineNo}: expected an operation and a value`);
    const isRead = s.fieldIs('Read');
    const isWrite = s.fieldIs('Write');
    const opStart = s.start;
    const opEnd = s.end;
    const v = s.nextCounter();
    if (v === NOT_A_COUNTER) throw s.notCounter(`${file} line ${s.lineNo}: ${text.slice(opStart, opEnd)}`);
    if (isRead) read = addCounters(read, v);
    else if (isWrite) write = addCounters(write, v);
  }
  return { read, write };
}

export function parseBlkioBytes(text: string): ReadWrite {
  return parseBlkio(text, 'blkio.throttle.io_service_bytes');
}

export function parseBlkioServiced(text: string): ReadWrite {
  return parseBlkio(text, 'blkio.throttle.io_serviced');
}
