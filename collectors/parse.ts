/**
 * The one scanner module of the collectors: every /proc and /sys parser reads its text through
 * these helpers. Two styles, one set of rules:
 * - whole tokens (`parseCounter`, `parseIntStrict`, `parseDecimal`, `parseHex`) after splitting a
 *   small file with `lines` and `fields`;
 * - in place, for the files parsed every tick: a `Scanner` walks lines and blank-separated fields
 *   by offset, and `counterAt`/`smallCounterAt` read digits without slicing, so a parse makes
 *   almost no garbage. Error context strings are built only once there is an error.
 * Fields are separated by runs of spaces and tabs. Counters are exact: a value above
 * Number.MAX_SAFE_INTEGER comes back as a bigint, never rounded.
 */
import { type Counter, ParseError } from './types.js';

const SPACE = 32;
const TAB = 9;
const MAX_COUNTER_DIGITS = 20; // 2^64 − 1 has 20 digits
const MAX_SMALL_DIGITS = 15; // every 15-digit decimal is below 2^53
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

/** What `counterAt` and `smallCounterAt` return for a token that is not an unsigned decimal. */
export const NOT_A_COUNTER = -1;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** The first index at or after `i` (below `end`) that is not a space or a tab. */
export function skipBlanks(text: string, i: number, end: number): number {
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** text[start, end) is exactly `word`, compared in place. */
export function equalsAt(text: string, start: number, end: number, word: string): boolean {
  return end - start === word.length && text.startsWith(word, start);
}

/** text[aStart, aEnd) and text[bStart, bEnd) hold the same characters, compared in place. */
export function sameTextAt(text: string, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (text.charCodeAt(aStart + i) !== text.charCodeAt(bStart + i)) return false;
  return true;
}

/**
 * The unsigned decimal text[start, end) of 1 to 20 digits, exactly: a number up to
 * Number.MAX_SAFE_INTEGER, a bigint above; NOT_A_COUNTER for anything else. Digits are read in
 * place: only a value beyond 2^53 is sliced out (for BigInt).
 */
export function counterAt(text: string, start: number, end: number): Counter {
  const n = end - start;
  if (n < 1 || n > MAX_COUNTER_DIGITS) return NOT_A_COUNTER;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NOT_A_COUNTER;
    v = v * 10 + d;
  }
  return exactly(v, text, start, end);
}

/**
 * The counter whose digits text[start, end) summed to `v` in floating point. Below 2^53 every step
 * of the sum is exact, and rounding never takes a larger value back below it: only a value beyond
 * is sliced out and read again as a bigint.
 */
function exactly(v: number, text: string, start: number, end: number): Counter {
  if (v <= Number.MAX_SAFE_INTEGER) return v;
  const big = BigInt(text.slice(start, end));
  return big <= MAX_SAFE_BIGINT ? Number(big) : big;
}

/**
 * The value of a token of 1 to 15 decimal digits (below 2^53, so exact and always a number), read
 * in place; NOT_A_COUNTER for anything else, longer tokens included: for fields typed `number`.
 */
export function smallCounterAt(text: string, start: number, end: number): number {
  // Up to 15 digits counterAt always returns a number.
  return end - start > MAX_SMALL_DIGITS ? NOT_A_COUNTER : (counterAt(text, start, end) as number);
}

/**
 * A counter as a plain number, for values typed `number` (ticks, KiB, counts) that no kernel takes
 * near 2^53: exact up to it, rounded beyond. The typeof test keeps the common case free of a
 * conversion call.
 */
export function toNumber(c: Counter): number {
  return typeof c === 'number' ? c : Number(c);
}

/** The exact sum of two counters: a number while it stays below 2^53, a bigint beyond. */
export function addCounters(a: Counter, b: Counter): Counter {
  if (typeof a === 'number' && typeof b === 'number' && a + b <= Number.MAX_SAFE_INTEGER) return a + b;
  return BigInt(a) + BigInt(b);
}

/**
 * A counter divided by a unit factor (ns → µs), rounded down, exactly: a number when the result is
 * below 2^53.
 */
export function divideCounter(c: Counter, divisor: number): Counter {
  if (typeof c === 'number') return (c - (c % divisor)) / divisor; // exact: an integer multiple divided
  const q = c / BigInt(divisor);
  return q <= MAX_SAFE_BIGINT ? Number(q) : q;
}

/** The error for text[start, end) that should have been an unsigned integer; `what` says where. */
export function notUnsigned(text: string, start: number, end: number, what: string): ParseError {
  return new ParseError(`${what}: not an unsigned integer: "${clip(text.slice(start, end))}"`);
}

/** Parses an unsigned decimal counter exactly: a number when safe, a bigint when it exceeds 2^53. */
export function parseCounter(text: string, what = 'counter'): Counter {
  const v = counterAt(text, 0, text.length);
  if (v === NOT_A_COUNTER) throw notUnsigned(text, 0, text.length, what);
  return v;
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

const HEX = /^0x([0-9a-fA-F]{1,13})$/;

/** Parses a sysfs "0x1a" value (SCSI ioerr_cnt/iotmo_cnt, /proc/net/softnet_stat columns without the prefix). */
export function parseHex(text: string, what = 'value', prefixed = true): number {
  const t = text.trim();
  const m = HEX.exec(prefixed ? t : `0x${t}`);
  if (m === null) throw new ParseError(`${what}: not a hex number: "${clip(t)}"`);
  return Number.parseInt(m[1], 16);
}

/** Splits on runs of spaces and tabs. */
export function fields(line: string): string[] {
  const out: string[] = [];
  let i = skipBlanks(line, 0, line.length);
  while (i < line.length) {
    const end = fieldEnd(line, i, line.length);
    out.push(line.slice(i, end));
    i = skipBlanks(line, end, line.length);
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

/** The end of the field starting at `i`: the first space or tab, or `end`. */
function fieldEnd(text: string, i: number, end: number): number {
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Walks a text line by line and each line field by field, by offset: the current line is
 * text[lineStart, lineEnd) (without its newline), the current field text[start, end). Lines are
 * what `lines` returns, fields what `fields` returns on the line.
 */
export class Scanner {
  /** 1-based number of the current line; 0 before the first. */
  lineNo = 0;
  lineStart = 0;
  lineEnd = -1;
  start = 0;
  end = 0;

  constructor(readonly text: string) {}

  /** Moves to the next line (its field cursor at its start); false after the last line. */
  nextLine(): boolean {
    const from = this.lineEnd + 1;
    if (from >= this.text.length) return false;
    let end = this.text.indexOf('\n', from);
    if (end < 0) end = this.text.length;
    this.lineNo++;
    this.lineStart = from;
    this.lineEnd = end;
    this.start = from;
    this.end = from;
    return true;
  }

  /** The current line is empty. */
  blankLine(): boolean {
    return this.lineEnd === this.lineStart;
  }

  /** Moves to the next field of the line; false (the field empty, at the line's end) when there is none. */
  nextField(): boolean {
    // The loops are written out rather than calls to skipBlanks and fieldEnd: this is the
    // innermost step of every per-tick parser, and the calls cost V8's inlining budget there.
    const text = this.text;
    const lineEnd = this.lineEnd;
    let i = this.end;
    let c = text.charCodeAt(i);
    while (i < lineEnd && (c === SPACE || c === TAB)) c = text.charCodeAt(++i);
    this.start = i;
    while (i < lineEnd && c !== SPACE && c !== TAB) c = text.charCodeAt(++i);
    this.end = i;
    return i > this.start;
  }

  /**
   * Moves to the next field and reads it as counterAt does, in the same pass over its characters
   * (nextField then counterAt measured about 8% slower on /proc/meminfo): NOT_A_COUNTER when it is
   * not an unsigned decimal of 1 to 20 digits, or when the line has no field left.
   */
  nextCounter(): Counter {
    const text = this.text;
    const lineEnd = this.lineEnd;
    let i = this.end;
    let c = text.charCodeAt(i);
    while (i < lineEnd && (c === SPACE || c === TAB)) c = text.charCodeAt(++i);
    const start = i;
    let v = 0;
    while (i < lineEnd && c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = text.charCodeAt(++i);
    }
    const digitsEnd = i;
    while (i < lineEnd && c !== SPACE && c !== TAB) c = text.charCodeAt(++i);
    this.start = start;
    this.end = i;
    if (digitsEnd !== i || i === start || i - start > MAX_COUNTER_DIGITS) return NOT_A_COUNTER;
    return exactly(v, text, start, i);
  }

  /** Makes text[start, end) the current field; the next field is looked for after it. */
  setField(start: number, end: number): void {
    this.start = start;
    this.end = end;
  }

  /** The fields left on the line after the current one; the cursor does not move. */
  countFields(): number {
    let count = 0;
    let i = skipBlanks(this.text, this.end, this.lineEnd);
    while (i < this.lineEnd) {
      count++;
      i = skipBlanks(this.text, fieldEnd(this.text, i, this.lineEnd), this.lineEnd);
    }
    return count;
  }

  /**
   * Splits the rest of the line into fields, writing the start and end offsets of the first
   * bounds.length / 2 of them into `bounds` (2k, 2k + 1 for field k); returns how many fields
   * there are in all. The cursor ends on the last field.
   */
  columns(bounds: Int32Array): number {
    const room = bounds.length >> 1;
    let count = 0;
    while (this.nextField()) {
      if (count < room) {
        bounds[2 * count] = this.start;
        bounds[2 * count + 1] = this.end;
      }
      count++;
    }
    return count;
  }

  field(): string {
    return this.text.slice(this.start, this.end);
  }

  fieldIs(word: string): boolean {
    return equalsAt(this.text, this.start, this.end, word);
  }

  /** The error for the current field, which should have been an unsigned integer. */
  notCounter(what: string): ParseError {
    return notUnsigned(this.text, this.start, this.end, what);
  }
}
