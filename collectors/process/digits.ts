import { ParseError } from '../types.js';

/**
 * The in-place scanning the per-pid parsers share: positions in the text, no slicing, so that a
 * tick over thousands of processes makes no garbage per field. Kept in this one file so that it can
 * be pointed at the collectors' shared scanner as a whole.
 */

/** True when text[start, colon) is exactly `key`; compares in place so that no key string is sliced per line. */
export function keyIs(text: string, start: number, colon: number, key: string): boolean {
  return colon - start === key.length && text.startsWith(key, start);
}

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

export function skipBlanks(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

export function tokenEnd(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10) break;
    i++;
  }
  return i;
}

/** Unsigned decimal in text[start, end) without slicing; above 2^53 it rounds, which gauges tolerate. */
export function unsignedAt(text: string, start: number, end: number, what: string): number {
  const n = digitsAt(text, start, end);
  if (n < 0) throw notUnsigned(text, start, end, what);
  return n;
}

export function notUnsigned(text: string, start: number, end: number, what: string): ParseError {
  return new ParseError(`${what}: not an unsigned integer: "${text.slice(start, Math.min(end, start + 24))}"`);
}

/** As unsignedAt, but −1 for anything that is not 1–20 digits, so that hot loops build no message. */
export function digitsAt(text: string, start: number, end: number): number {
  if (end <= start || end - start > 20) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
