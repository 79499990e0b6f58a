import { parseCounter } from '../parse.js';
import { type Counter, ParseError } from '../types.js';
import { digitsAt, keyIs, skipBlanks } from './digits.js';

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
