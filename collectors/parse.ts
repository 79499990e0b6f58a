import { type Counter, ParseError } from './types.js';

const MAX_SAFE_DIGITS = 15; // every 15-digit decimal is below 2^53

/** Parses an unsigned decimal counter exactly: a number when safe, a bigint when it could exceed 2^53. */
export function parseCounter(text: string, what = 'counter'): Counter {
  if (text.length === 0 || text.length > 20) throw new ParseError(`${what}: not an unsigned integer: "${clip(text)}"`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) throw new ParseError(`${what}: not an unsigned integer: "${clip(text)}"`);
  }
  if (text.length <= MAX_SAFE_DIGITS) return Number(text);
  const big = BigInt(text);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Parses a signed decimal integer that is a gauge, not a counter (exactness beyond 2^53 is not needed). */
export function parseIntStrict(text: string, what = 'value'): number {
  if (!/^-?\d{1,20}$/.test(text)) throw new ParseError(`${what}: not an integer: "${clip(text)}"`);
  return Number(text);
}

/** Parses a decimal number such as a PSI average ("12.34"). */
export function parseDecimal(text: string, what = 'value'): number {
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new ParseError(`${what}: not a number: "${clip(text)}"`);
  return Number(text);
}

/** Splits on runs of spaces and tabs without allocating a regex per call. */
export function fields(line: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line.charCodeAt(i) : 32;
    if (c === 32 || c === 9) {
      if (start >= 0) {
        out.push(line.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  return out;
}

/** Lines of a text, without the empty one after a trailing newline. */
export function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

export function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const HEX = /^0x([0-9a-fA-F]{1,13})$/;

/** Parses a sysfs "0x1a" value (SCSI ioerr_cnt/iotmo_cnt, /proc/net/softnet_stat columns without the prefix). */
export function parseHex(text: string, what = 'value', prefixed = true): number {
  const t = text.trim();
  const m = HEX.exec(prefixed ? t : `0x${t}`);
  if (m === null) throw new ParseError(`${what}: not a hex number: "${clip(t)}"`);
  return Number.parseInt(m[1], 16);
}

/**
 * The value of a token of 1 to 15 decimal digits (below 2^53, so exact), read in place; -1 for
 * anything else, which the caller hands to parseCounter for the exact value or the exact error.
 * Most kernel counters are such tokens: reading them without slicing them out, and without
 * building the error context before there is an error, keeps the per-tick parsers nearly free of
 * garbage.
 */
export function smallCounterAt(text: string, start: number, end: number): number {
  const n = end - start;
  if (n < 1 || n > 15) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
