/**
 * The order of instance names in the USE matrix: natural order as `Intl.Collator('en', { numeric:
 * true })` gives it (cpu2 before cpu10, sda before sda1, "/" before "/boot"). Loading that collator
 * maps about 3 MB of ICU's collation data into the agent for good, so names written only with
 * lowercase ASCII letters, digits and ASCII punctuation (every disk, CPU, interface and mount point
 * of an ordinary host) are compared here, in the collator's order: punctuation in the order of
 * PUNCTUATION, then numbers by value (leading zeros ignored), then letters. A list with any other
 * name is sorted by the collator itself, created on first use.
 */

/** ASCII punctuation in the Unicode collation's root order (CLDR), each with a primary weight of its own. */
const PUNCTUATION = '_-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$';

/** Primary rank of each character code below 128 the fast path knows; -1 for the others. */
const RANK = new Int8Array(128).fill(-1);
const DIGITS = PUNCTUATION.length;
for (let i = 0; i < PUNCTUATION.length; i++) RANK[PUNCTUATION.charCodeAt(i)] = i;
for (let c = 0x30; c <= 0x39; c++) RANK[c] = DIGITS;
for (let c = 0x61; c <= 0x7a; c++) RANK[c] = DIGITS + 1 + (c - 0x61);

/**
 * ICU compares digit runs of up to 254 digits by value and splits longer ones; names that long
 * go to the collator.
 */
const MAX_PLAIN_LENGTH = 254;

function isPlain(name: string): boolean {
  if (name.length > MAX_PLAIN_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || RANK[c] < 0) return false;
  }
  return true;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** End of the digit run starting at `from`. */
function runEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i;
}

/** First non-zero digit of a run, or its end for a run of zeros. */
function significant(s: string, from: number, end: number): number {
  let i = from;
  while (i < end && s.charCodeAt(i) === 0x30) i++;
  return i;
}

/** Two digit runs by value, whatever their length. */
function compareRuns(a: string, aFrom: number, aEnd: number, b: string, bFrom: number, bEnd: number): number {
  const as = significant(a, aFrom, aEnd);
  const bs = significant(b, bFrom, bEnd);
  if (aEnd - as !== bEnd - bs) return aEnd - as - (bEnd - bs);
  for (let k = 0; k < aEnd - as; k++) {
    const d = a.charCodeAt(as + k) - b.charCodeAt(bs + k);
    if (d !== 0) return d;
  }
  return 0;
}

/** Natural order of two plain names (isPlain), the collator's; 0 for names it holds equal (cpu01, cpu1). */
export function comparePlainNames(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      const aEnd = runEnd(a, i);
      const bEnd = runEnd(b, j);
      const byValue = compareRuns(a, i, aEnd, b, j, bEnd);
      if (byValue !== 0) return byValue;
      i = aEnd;
      j = bEnd;
      continue;
    }
    if (RANK[ca] !== RANK[cb]) return RANK[ca] - RANK[cb];
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}

let collator: Intl.Collator | undefined;

/** The comparison of instance names for a list holding these names. */
export function instanceComparator(names: Iterable<string>): (a: string, b: string) => number {
  for (const name of names) {
    if (isPlain(name)) continue;
    collator ??= new Intl.Collator('en', { numeric: true });
    return collator.compare;
  }
  return comparePlainNames;
}
