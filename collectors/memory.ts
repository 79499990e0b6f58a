import type { Collector } from './collector.js';
import { parseCounter, smallCounterAt } from './parse.js';
import type { SourceLog } from './procfs.js';
import { type Counter, ParseError } from './types.js';

const KIB = 1024;
/** Base page size of x86_64 and most arm64 kernels; pswpin/pswpout count these pages. */
export const DEFAULT_PAGE_SIZE = 4096;

/** The unit that follows a /proc/meminfo value: " kB" (KiB), else nothing (a count). */
const KB_SUFFIX = ' kB';

/**
 * Parses /proc/meminfo into a map by field name. Values with a "kB" unit (KiB) become bytes; the
 * unitless ones (HugePages_Total, HugePages_Free…) are counts. Fields vary with config and arch, so
 * nothing is read by position. Lines are read in place: only the field names are sliced out.
 */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = text.length;
    lineNo++;
    if (lineEnd > pos) {
      const colon = text.indexOf(':', pos);
      if (colon <= pos || colon >= lineEnd) throw new ParseError(`line ${lineNo}: expected "Key: value"`);
      let start = colon + 1;
      while (start < lineEnd && text.charCodeAt(start) === 32) start++;
      let end = text.indexOf(' ', start);
      if (end < 0 || end > lineEnd) end = lineEnd;
      let kib: boolean;
      if (end === lineEnd) kib = false;
      else if (lineEnd - end === KB_SUFFIX.length && text.startsWith(KB_SUFFIX, end)) kib = true;
      else {
        const unit = text.slice(end, lineEnd).trim();
        if (unit !== '' && unit !== 'kB') throw new ParseError(`line ${lineNo}: unknown unit "${unit}"`);
        kib = unit === 'kB';
      }
      let value = smallCounterAt(text, start, end);
      if (value < 0) {
        value = Number(parseCounter(text.slice(start, end), `line ${lineNo}: ${text.slice(pos, colon)}`));
      }
      out.set(text.slice(pos, colon), kib ? value * KIB : value);
    }
    pos = lineEnd + 1;
  }
  if (!out.has('MemTotal')) throw new ParseError('no MemTotal');
  return out;
}

/** The vmstat counters the memory USE cells need, with key names normalised across kernel versions. */
export interface VmstatCounters {
  pswpin?: Counter;
  pswpout?: Counter;
  /** KiB, not pages. */
  pgpgin?: Counter;
  pgpgout?: Counter;
  pgmajfault?: Counter;
  /** Σ pgscan_kswapd* (per-zone names before 4.8). */
  pgscanKswapd: Counter;
  /** Σ pgscan_direct* except pgscan_direct_throttle. */
  pgscanDirect: Counter;
  /** Σ allocstall* (per zone since 4.8). */
  allocstall: Counter;
  /** Absent before 4.13. */
  oomKill?: Counter;
}

function add(a: Counter, b: Counter): Counter {
  if (typeof a === 'number' && typeof b === 'number' && a + b <= Number.MAX_SAFE_INTEGER) return a + b;
  return BigInt(a) + BigInt(b);
}

type Single = 'pswpin' | 'pswpout' | 'pgpgin' | 'pgpgout' | 'pgmajfault' | 'oomKill';
type Summed = 'pgscanKswapd' | 'pgscanDirect' | 'allocstall';

const SINGLES: readonly (readonly [string, Single])[] = [
  ['pswpin', 'pswpin'],
  ['pswpout', 'pswpout'],
  ['pgpgin', 'pgpgin'],
  ['pgpgout', 'pgpgout'],
  ['pgmajfault', 'pgmajfault'],
  ['oom_kill', 'oomKill'],
];

/** The summed field a vmstat name adds to, by prefix. */
function summedField(text: string, start: number, end: number): Summed | undefined {
  if (text.startsWith('pgscan_kswapd', start)) return 'pgscanKswapd';
  if (text.startsWith('pgscan_direct', start)) {
    const throttle = 'pgscan_direct_throttle';
    return end - start === throttle.length && text.startsWith(throttle, start) ? undefined : 'pgscanDirect';
  }
  return text.startsWith('allocstall', start) ? 'allocstall' : undefined;
}

/** One name summed into a field; a name repeated in the file counts once, with its last value. */
interface Addend {
  field: Summed;
  start: number;
  end: number;
  value: Counter;
}

function sameName(text: string, a: Addend, start: number, end: number): boolean {
  if (a.end - a.start !== end - start) return false;
  for (let i = 0; i < end - start; i++) if (text.charCodeAt(a.start + i) !== text.charCodeAt(start + i)) return false;
  return true;
}

/**
 * Parses /proc/vmstat into the counters the memory USE cells need. Every line is checked ("name
 * value", an unsigned counter), but only the few names used are kept: the file has about 180
 * lines, and a map of all of them was most of a tick's memory collection garbage.
 */
export function parseVmstat(text: string): VmstatCounters {
  const singles: Partial<Record<Single, Counter>> = {};
  const addends: Addend[] = [];
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    if (end > pos) {
      const space = text.indexOf(' ', pos);
      if (space < 0 || space >= end || space === pos) {
        throw new ParseError(`line ${lineNo}: expected "name value"`);
      }
      let value: Counter = smallCounterAt(text, space + 1, end);
      if (value < 0) value = parseCounter(text.slice(space + 1, end), `line ${lineNo}: ${text.slice(pos, space)}`);
      const field = summedField(text, pos, space);
      // Indexed loops: this runs once a second, mostly unoptimised, where for…of and closures allocate.
      if (field !== undefined) {
        let held = 0;
        while (held < addends.length && !sameName(text, addends[held], pos, space)) held++;
        if (held === addends.length) addends.push({ field, start: pos, end: space, value });
        else addends[held].value = value;
      } else {
        for (let k = 0; k < SINGLES.length; k++) {
          const name = SINGLES[k][0];
          if (space - pos === name.length && text.startsWith(name, pos)) singles[SINGLES[k][1]] = value;
        }
      }
    }
    pos = end + 1;
  }
  const sums: Record<Summed, Counter> = { pgscanKswapd: 0, pgscanDirect: 0, allocstall: 0 };
  for (let k = 0; k < addends.length; k++) sums[addends[k].field] = add(sums[addends[k].field], addends[k].value);
  return {
    pswpin: singles.pswpin,
    pswpout: singles.pswpout,
    pgpgin: singles.pgpgin,
    pgpgout: singles.pgpgout,
    pgmajfault: singles.pgmajfault,
    ...sums,
    oomKill: singles.oomKill,
  };
}

/** Corrected and uncorrected memory errors summed over EDAC memory controllers. */
export interface EdacCounts {
  corrected: Counter;
  uncorrected: Counter;
}

export interface MemorySample {
  /** Bytes (or counts for HugePages_*) by /proc/meminfo field name. */
  meminfo: Map<string, number>;
  vmstat?: VmstatCounters;
  edac?: EdacCounts;
  pageSize: number;
}

const EDAC_DIR = 'sys/devices/system/edac/mc';
const EDAC_CONTROLLER = /^mc\d+$/;

/** The EDAC memory controllers; listed once, since controllers are not hot-plugged. */
function listEdacControllers(log: SourceLog): string[] {
  const listing = log.fs.listDir(EDAC_DIR);
  if (!listing.ok) {
    log.report(EDAC_DIR, listing.status, `${listing.reason} (no EDAC driver: memory errors are not reported here)`);
    return [];
  }
  return listing.names.filter((n) => EDAC_CONTROLLER.test(n)).sort();
}

function readEdac(log: SourceLog, controllers: readonly string[]): EdacCounts | undefined {
  let corrected: Counter = 0;
  let uncorrected: Counter = 0;
  for (const mc of controllers) {
    const ce = log.keptParsed(`${EDAC_DIR}/${mc}/ce_count`, parseEdacCount);
    const ue = log.keptParsed(`${EDAC_DIR}/${mc}/ue_count`, parseEdacCount);
    if (ce === undefined || ue === undefined) return undefined;
    corrected = add(corrected, ce);
    uncorrected = add(uncorrected, ue);
  }
  return { corrected, uncorrected };
}

export function parseEdacCount(text: string): Counter {
  return parseCounter(text.trim(), 'count');
}

/** /proc/meminfo, /proc/vmstat and, where a driver exposes them, EDAC memory error counters. */
export function createMemoryCollector(pageSize = DEFAULT_PAGE_SIZE): Collector<MemorySample> {
  let edacControllers: string[] | undefined;
  return {
    name: 'memory',
    read(log) {
      const meminfo = log.keptParsed('proc/meminfo', parseMeminfo);
      if (meminfo === undefined) return undefined;
      const vmstat = log.keptParsed('proc/vmstat', parseVmstat);
      edacControllers ??= listEdacControllers(log);
      return {
        meminfo,
        vmstat,
        edac: edacControllers.length === 0 ? undefined : readEdac(log, edacControllers),
        pageSize,
      };
    },
  };
}
