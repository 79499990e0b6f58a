import type { Collector } from './collector.js';
import {
  addCounters,
  counterAt,
  equalsAt,
  NOT_A_COUNTER,
  notUnsigned,
  parseCounter,
  Scanner,
  sameTextAt,
  toNumber,
} from './parse.js';
import type { SourceLog } from './procfs.js';
import { type Counter, ParseError } from './types.js';

const KIB = 1024;
/** Base page size of x86_64 and most arm64 kernels; pswpin/pswpout count these pages. */
export const DEFAULT_PAGE_SIZE = 4096;

/** The unit that may follow a /proc/meminfo value: "kB" (KiB), else nothing (a count). */
const KB = 'kB';
const KB_SUFFIX = ` ${KB}`;

/**
 * Parses /proc/meminfo into a map by field name. Values with a "kB" unit (KiB) become bytes; the
 * unitless ones (HugePages_Total, HugePages_Free…) are counts. Fields vary with config and arch, so
 * nothing is read by position. Lines are read in place: only the field names are sliced out.
 */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const s = new Scanner(text);
  while (s.nextLine()) {
    if (s.blankLine()) continue;
    const colon = text.indexOf(':', s.lineStart);
    if (colon <= s.lineStart || colon >= s.lineEnd) throw new ParseError(`line ${s.lineNo}: expected "Key: value"`);
    s.setField(colon + 1, colon + 1);
    const value = s.nextCounter();
    const valueStart = s.start;
    const valueEnd = s.end;
    // " kB" to the end of the line is nearly every line: one comparison, then the general case.
    let kib = equalsAt(text, valueEnd, s.lineEnd, KB_SUFFIX);
    if (!kib && s.nextField()) {
      if (!s.fieldIs(KB) || s.nextField()) {
        throw new ParseError(`line ${s.lineNo}: unknown unit "${text.slice(valueEnd, s.lineEnd).trim()}"`);
      }
      kib = true;
    }
    if (value === NOT_A_COUNTER) {
      throw notUnsigned(text, valueStart, valueEnd, `line ${s.lineNo}: ${text.slice(s.lineStart, colon)}`);
    }
    out.set(text.slice(s.lineStart, colon), kib ? toNumber(value) * KIB : toNumber(value));
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
    return equalsAt(text, start, end, 'pgscan_direct_throttle') ? undefined : 'pgscanDirect';
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

/**
 * Parses /proc/vmstat into the counters the memory USE cells need. Every line is checked ("name
 * value", an unsigned counter), but only the few names used are kept: the file has about 180
 * lines, and a map of all of them was most of a tick's memory collection garbage.
 */
export function parseVmstat(text: string): VmstatCounters {
  const singles: Partial<Record<Single, Counter>> = {};
  const addends: Addend[] = [];
  const s = new Scanner(text);
  while (s.nextLine()) {
    if (s.blankLine()) continue;
    const start = s.lineStart;
    const space = text.indexOf(' ', start);
    if (space < 0 || space >= s.lineEnd || space === start) {
      throw new ParseError(`line ${s.lineNo}: expected "name value"`);
    }
    const value = counterAt(text, space + 1, s.lineEnd);
    if (value === NOT_A_COUNTER) {
      throw notUnsigned(text, space + 1, s.lineEnd, `line ${s.lineNo}: ${text.slice(start, space)}`);
    }
    const field = summedField(text, start, space);
    // Indexed loops: this runs once a second, mostly unoptimised, where for…of and closures allocate.
    if (field !== undefined) {
      let held = 0;
      while (held < addends.length && !sameTextAt(text, addends[held].start, addends[held].end, start, space)) held++;
      if (held === addends.length) addends.push({ field, start, end: space, value });
      else addends[held].value = value;
    } else {
      for (let k = 0; k < SINGLES.length; k++) {
        const name = SINGLES[k][0];
        if (space - start === name.length && text.startsWith(name, start)) singles[SINGLES[k][1]] = value;
      }
    }
  }
  const sums: Record<Summed, Counter> = { pgscanKswapd: 0, pgscanDirect: 0, allocstall: 0 };
  for (let k = 0; k < addends.length; k++)
    sums[addends[k].field] = addCounters(sums[addends[k].field], addends[k].value);
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
    corrected = addCounters(corrected, ce);
    uncorrected = addCounters(uncorrected, ue);
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
