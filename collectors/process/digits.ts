import { counterAt, NOT_A_COUNTER, notUnsigned, skipBlanks, toNumber } from '../parse.js';

/**
 * What the per-pid parsers add to the collectors' scanner (collectors/parse.ts): the walk over
 * "key: value" lines of status and io, token ends, and unsigned fields with the field's name in the
 * error. Positions in the text, no slicing, so that a tick over thousands of processes makes no
 * garbage per field.
 */

/**
 * Calls `visit` for each "key: value" line of text (status, io) with the positions of the key, the
 * colon, the value's first non-blank character and the end of the line; lines without a colon are skipped.
 */
export function forEachKeyedLine(
  text: string,
  visit: (keyStart: number, colon: number, value: number, lineEnd: number) => void,
): void {
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const colon = text.indexOf(':', lineStart);
    if (colon > lineStart && colon < lineEnd) visit(lineStart, colon, skipBlanks(text, colon + 1, lineEnd), lineEnd);
    lineStart = lineEnd + 1;
  }
}

export function tokenEnd(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10) break;
    i++;
  }
  return i;
}

/**
 * Unsigned decimal in text[start, end) without slicing, for the per-pid fields typed `number` (ticks,
 * KiB, counts, pids) that no kernel takes near 2^53: exact up to it, and rounded beyond it rather
 * than refused. The error names the field.
 */
export function unsignedAt(text: string, start: number, end: number, what: string): number {
  const n = counterAt(text, start, end);
  if (n === NOT_A_COUNTER) throw notUnsigned(text, start, end, what);
  return toNumber(n);
}
