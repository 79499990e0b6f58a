import { parseCounter } from '../parse.js';
import { type Counter, ParseError } from '../types.js';
import { digitsAt, forEachKeyedLine, keyIs } from './digits.js';

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
    if (keyIs(text, key, colon, 'rchar')) rchar = counterAt(text, key, colon, v, lineEnd);
    else if (keyIs(text, key, colon, 'wchar')) wchar = counterAt(text, key, colon, v, lineEnd);
    else if (keyIs(text, key, colon, 'read_bytes')) readBytes = counterAt(text, key, colon, v, lineEnd);
    else if (keyIs(text, key, colon, 'write_bytes')) writeBytes = counterAt(text, key, colon, v, lineEnd);
    else if (keyIs(text, key, colon, 'cancelled_write_bytes')) cancelled = counterAt(text, key, colon, v, lineEnd);
  });
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
