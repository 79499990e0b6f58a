/**
 * The shapes cgroup files share, on the scanner of collectors/parse.ts: a single value
 * (memory.current, pids.current), a limit that may read "max" (memory.max, memory.high, pids.max)
 * and the flat-keyed "key value" lines of cpu.stat, memory.stat, memory.events, pids.events and
 * memory.oom_control. Pure: text in, typed values out, ParseError naming the file and line.
 * The per-controller parsers are in parse-cpu.ts, parse-memory.ts and parse-io.ts.
 */
import { NOT_A_COUNTER, parseCounter, Scanner, toNumber } from '../parse.js';
import { parsePressure } from '../pressure.js';
import { type Counter, ParseError } from '../types.js';
import type { CgroupPressure } from './sample.js';

/** A file of one unsigned value ("123\n"), exactly. */
export function parseCgroupCounter(text: string, file: string): Counter {
  return parseCounter(text.trim(), file);
}

/** A file of one unsigned value that is a gauge (bytes, tasks). */
export function parseCgroupGauge(text: string, file: string): number {
  return toNumber(parseCgroupCounter(text, file));
}

/** A limit file that reads "max" when there is no limit (memory.max, memory.high, pids.max): undefined then. */
export function parseMaxOrValue(text: string, file: string): number | undefined {
  const t = text.trim();
  return t === 'max' ? undefined : toNumber(parseCounter(t, file));
}

/** pids.max (v1 and v2): a number of tasks, or "max". */
export function parsePidsMax(text: string): number | undefined {
  return parseMaxOrValue(text, 'pids.max');
}

/** pids.current (v1 and v2). */
export function parsePidsCurrent(text: string): number {
  return parseCgroupGauge(text, 'pids.current');
}

const PIDS_EVENTS_KEYS = ['max'] as const;

/**
 * pids.events: "max N", the forks refused because pids.max was reached (6.15 adds "max.imposed",
 * ignored: it counts refusals imposed by an ancestor's limit, which the ancestor's own "max" has).
 */
export function parsePidsEvents(text: string): Counter {
  const max = keyedCounters(text, PIDS_EVENTS_KEYS, 'pids.events')[0];
  if (max === undefined) throw new ParseError('pids.events: no "max" line');
  return max;
}

/**
 * The values of `keys` in a flat-keyed file ("key value" a line), by the index of each key;
 * undefined for a key the file lacks. Lines of other keys are skipped unread: kernels add keys, and
 * memory.stat has fifty of which one is wanted.
 */
export function keyedCounters(text: string, keys: readonly string[], file: string): (Counter | undefined)[] {
  const values: (Counter | undefined)[] = keys.map(() => undefined);
  const s = new Scanner(text);
  while (s.nextLine()) {
    if (!s.nextField()) continue;
    const k = keyIndex(s, keys);
    if (k < 0) continue;
    const v = s.nextCounter();
    if (v === NOT_A_COUNTER) throw s.notCounter(`${file} line ${s.lineNo}: ${keys[k]}`);
    if (s.nextField()) throw new ParseError(`${file} line ${s.lineNo}: ${keys[k]}: expected one value`);
    values[k] = v;
  }
  return values;
}

function keyIndex(s: Scanner, keys: readonly string[]): number {
  for (let k = 0; k < keys.length; k++) if (s.fieldIs(keys[k])) return k;
  return -1;
}

/** The value of keys[k], which the file must have. */
export function needKey(values: readonly (Counter | undefined)[], keys: readonly string[], k: number, file: string) {
  const v = values[k];
  if (v === undefined) throw new ParseError(`${file}: no "${keys[k]}" line`);
  return v;
}

/**
 * cpu.pressure, memory.pressure, io.pressure of a cgroup (v2): the format of /proc/pressure, of
 * which the stall totals are kept (rates come from them; the kernel's averages would be a second,
 * differently smoothed figure).
 */
export function parseCgroupPressure(text: string): CgroupPressure {
  const p = parsePressure(text);
  if (p.some === undefined) throw new ParseError('no "some" line');
  return p.full === undefined ? { someUsec: p.some.totalUs } : { someUsec: p.some.totalUs, fullUsec: p.full.totalUs };
}
