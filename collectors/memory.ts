import type { Collector } from './collector.js';
import { parseCounter } from './parse.js';
import type { SourceLog } from './procfs.js';
import { type Counter, ParseError } from './types.js';

const KIB = 1024;
/** Base page size of x86_64 and most arm64 kernels; pswpin/pswpout count these pages. */
export const DEFAULT_PAGE_SIZE = 4096;

/** Iterates over "key value" lines without splitting the whole text into an array first. */
function forEachLine(text: string, visit: (line: string, lineNo: number) => void): void {
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    if (end > pos) visit(text.slice(pos, end), lineNo);
    pos = end + 1;
  }
}

/**
 * Parses /proc/meminfo into a map by field name. Values with a "kB" unit (KiB) become bytes; the
 * unitless ones (HugePages_Total, HugePages_Free…) are counts. Fields vary with config and arch, so
 * nothing is read by position.
 */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  forEachLine(text, (line, lineNo) => {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ParseError(`line ${lineNo}: expected "Key: value"`);
    let start = colon + 1;
    while (start < line.length && line.charCodeAt(start) === 32) start++;
    let end = line.indexOf(' ', start);
    if (end < 0) end = line.length;
    const unit = line.slice(end).trim();
    if (unit !== '' && unit !== 'kB') throw new ParseError(`line ${lineNo}: unknown unit "${unit}"`);
    const value = Number(parseCounter(line.slice(start, end), `line ${lineNo}: ${line.slice(0, colon)}`));
    out.set(line.slice(0, colon), unit === 'kB' ? value * KIB : value);
  });
  if (!out.has('MemTotal')) throw new ParseError('no MemTotal');
  return out;
}

/** Parses /proc/vmstat into a map of counters by name. */
export function parseVmstat(text: string): Map<string, Counter> {
  const out = new Map<string, Counter>();
  forEachLine(text, (line, lineNo) => {
    const space = line.indexOf(' ');
    if (space <= 0) throw new ParseError(`line ${lineNo}: expected "name value"`);
    const name = line.slice(0, space);
    out.set(name, parseCounter(line.slice(space + 1), `line ${lineNo}: ${name}`));
  });
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

export function summarizeVmstat(vm: Map<string, Counter>): VmstatCounters {
  let pgscanKswapd: Counter = 0;
  let pgscanDirect: Counter = 0;
  let allocstall: Counter = 0;
  for (const [name, value] of vm) {
    if (name.startsWith('pgscan_kswapd')) pgscanKswapd = add(pgscanKswapd, value);
    else if (name.startsWith('pgscan_direct') && name !== 'pgscan_direct_throttle') {
      pgscanDirect = add(pgscanDirect, value);
    } else if (name.startsWith('allocstall')) allocstall = add(allocstall, value);
  }
  return {
    pswpin: vm.get('pswpin'),
    pswpout: vm.get('pswpout'),
    pgpgin: vm.get('pgpgin'),
    pgpgout: vm.get('pgpgout'),
    pgmajfault: vm.get('pgmajfault'),
    pgscanKswapd,
    pgscanDirect,
    allocstall,
    oomKill: vm.get('oom_kill'),
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
      const vm = log.keptParsed('proc/vmstat', parseVmstat);
      edacControllers ??= listEdacControllers(log);
      return {
        meminfo,
        vmstat: vm === undefined ? undefined : summarizeVmstat(vm),
        edac: edacControllers.length === 0 ? undefined : readEdac(log, edacControllers),
        pageSize,
      };
    },
  };
}
