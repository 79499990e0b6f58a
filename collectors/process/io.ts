import { counterAt, equalsAt, NOT_A_COUNTER, parseCounter } from '../parse.js';
import { type Counter, ParseError } from '../types.js';
import { forEachKeyedLine } from './digits.js';

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
  forEachKeyedLine(text, (key, colon, v, lineEnd) => {
    if (equalsAt(text, key, colon, 'rchar')) rchar = ioCounter(text, key, colon, v, lineEnd);
    else if (equalsAt(text, key, colon, 'wchar')) wchar = ioCounter(text, key, colon, v, lineEnd);
    else if (equalsAt(text, key, colon, 'read_bytes')) readBytes = ioCounter(text, key, colon, v, lineEnd);
    else if (equalsAt(text, key, colon, 'write_bytes')) writeBytes = ioCounter(text, key, colon, v, lineEnd);
    else if (equalsAt(text, key, colon, 'cancelled_write_bytes')) cancelled = ioCounter(text, key, colon, v, lineEnd);
  });
  if (rchar === undefined || wchar === undefined || readBytes === undefined || writeBytes === undefined) {
    throw new ParseError('io: expected rchar, wchar, read_bytes and write_bytes lines');
  }
  return { rchar, wchar, readBytes, writeBytes, cancelledWriteBytes: cancelled };
}

/**
 * The counter of an io line at text[v, end), read in place and exact past 2^53; anything that is not
 * one goes through parseCounter for its error message, which names the key.
 */
function ioCounter(text: string, keyStart: number, colon: number, v: number, end: number): Counter {
  const n = counterAt(text, v, end);
  return n !== NOT_A_COUNTER ? n : parseCounter(text.slice(v, end), `io: ${text.slice(keyStart, colon)}`);
}
