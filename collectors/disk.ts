import type { Collector } from './collector.js';
import { FactsCache, type FactsCacheOptions } from './facts-cache.js';
import { counterAt, NOT_A_COUNTER, notUnsigned, parseHex, parseIntStrict, Scanner, smallCounterAt } from './parse.js';
import type { SourceLog } from './procfs.js';
import { type Counter, ParseError } from './types.js';

/**
 * One /proc/diskstats row. Field numbers follow Documentation/admin-guide/iostats.rst (field 1 =
 * reads completed). The ms fields are printed as 32-bit unsigned ints and wrap (see src/derive/disk).
 * Fields a kernel does not print (discard before 4.18, flush before 5.5) are 0.
 */
export interface DiskStats {
  major: number;
  minor: number;
  name: string;
  /** f1 */ reads: Counter;
  /** f2 */ readsMerged: Counter;
  /** f3, 512-byte sectors */ sectorsRead: Counter;
  /** f4 */ readMs: Counter;
  /** f5 */ writes: Counter;
  /** f6 */ writesMerged: Counter;
  /** f7, 512-byte sectors */ sectorsWritten: Counter;
  /** f8 */ writeMs: Counter;
  /** f9, a gauge */ inflight: number;
  /** f10, time with at least one request in flight */ ioMs: Counter;
  /** f11, sum of request times (aqu-sz numerator) */ weightedMs: Counter;
  /** f12 */ discards: Counter;
  /** f13 */ discardsMerged: Counter;
  /** f14 */ sectorsDiscarded: Counter;
  /** f15 */ discardMs: Counter;
  /** f16 */ flushes: Counter;
  /** f17 */ flushMs: Counter;
}

/** Columns of a pre-2.6.25 partition row (ios/sectors only, different meaning): skipped as iostat -x does. */
const OLD_PARTITION_COLUMNS = 7;
const MIN_COLUMNS = 14;
const MAX_STATS = 17;

/** Columns read from a row: major, minor, name and the 17 stats; further ones are ignored. */
const USED_COLUMNS = 3 + MAX_STATS;
/** Start and end of each used column of the row being parsed (reused: rows are parsed one at a time). */
const bounds = new Int32Array(2 * USED_COLUMNS);

/** Stat column `col` (field col − 2 in iostats.rst numbering) of the current row. */
function statColumn(s: Scanner, col: number): Counter {
  const v = counterAt(s.text, bounds[2 * col], bounds[2 * col + 1]);
  if (v === NOT_A_COUNTER)
    throw notUnsigned(s.text, bounds[2 * col], bounds[2 * col + 1], `line ${s.lineNo} field ${col - 2}`);
  return v;
}

function numberColumn(s: Scanner, col: number, label: string): number {
  const start = bounds[2 * col];
  const end = bounds[2 * col + 1];
  const v = smallCounterAt(s.text, start, end);
  return v >= 0 ? v : parseIntStrict(s.text.slice(start, end), `line ${s.lineNo} ${label}`);
}

/**
 * Parses /proc/diskstats (14, 18 or 20 columns per row); every row, devices are filtered by the
 * collector. Columns are read in place: only the device name is sliced out of a row.
 */
export function parseDiskstats(text: string): DiskStats[] {
  const out: DiskStats[] = [];
  const s = new Scanner(text);
  while (s.nextLine()) {
    const count = s.columns(bounds);
    if (count === 0 || count === OLD_PARTITION_COLUMNS) continue;
    if (count < MIN_COLUMNS) {
      throw new ParseError(`line ${s.lineNo}: expected at least ${MIN_COLUMNS} columns, got ${count}`);
    }
    const f: Counter[] = [];
    for (let k = 0; k < MAX_STATS; k++) f.push(3 + k < count ? statColumn(s, 3 + k) : 0);
    out.push({
      major: numberColumn(s, 0, 'major'),
      minor: numberColumn(s, 1, 'minor'),
      name: text.slice(bounds[4], bounds[5]),
      reads: f[0],
      readsMerged: f[1],
      sectorsRead: f[2],
      readMs: f[3],
      writes: f[4],
      writesMerged: f[5],
      sectorsWritten: f[6],
      writeMs: f[7],
      inflight: Number(f[8]),
      ioMs: f[9],
      weightedMs: f[10],
      discards: f[11],
      discardsMerged: f[12],
      sectorsDiscarded: f[13],
      discardMs: f[14],
      flushes: f[15],
      flushMs: f[16],
    });
  }
  return out;
}

/** node_exporter's default exclude: partitions, loop, ram/zram and floppy devices. */
const NOT_WHOLE_DEVICE = /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$/;

export function isExcludedDeviceName(name: string): boolean {
  return NOT_WHOLE_DEVICE.test(name);
}

/** The /sys/block directory of a diskstats name: the kernel turns '/' (cciss/c0d0) into '!'. */
export function sysBlockDir(name: string): string {
  return `sys/block/${name.replaceAll('/', '!')}`;
}

export interface DiskDevice {
  stats: DiskStats;
  /** /sys/block/<d>/device exists: a real (or virtio) disk rather than dm, md, loop. */
  physical: boolean;
  /** queue/rotational; unreliable in VMs (virtio reports 1). Undefined when unreadable. */
  rotational?: boolean;
  /** SCSI ioerr_cnt + iotmo_cnt; undefined when the driver has none (virtio, NVMe). */
  ioErrors?: number;
  /** md/degraded: number of missing members of an md array; undefined for other devices. */
  mdDegraded?: number;
}

export interface DiskSample {
  /** Whole devices by diskstats name. */
  devices: Map<string, DiskDevice>;
}

/** What sysfs says about a device; stable, so read on a slow cadence rather than every tick. */
interface DeviceFacts {
  whole: boolean;
  physical: boolean;
  rotational?: boolean;
  hasErrorCounters: boolean;
  isMd: boolean;
}

function readDeviceFacts(log: SourceLog, name: string): DeviceFacts {
  const dir = sysBlockDir(name);
  if (isExcludedDeviceName(name) || name === '.' || name === '..' || !log.fs.listDir(dir).ok) {
    return { whole: false, physical: false, hasErrorCounters: false, isMd: false };
  }
  const rot = log.once(`${dir}/queue/rotational`, false)?.trim();
  return {
    whole: true,
    physical: log.fs.listDir(`${dir}/device`).ok,
    rotational: rot === '1' ? true : rot === '0' ? false : undefined,
    hasErrorCounters: log.fs.readOnce(`${dir}/device/ioerr_cnt`).ok,
    isMd: log.fs.readOnce(`${dir}/md/degraded`).ok,
  };
}

export function createDiskCollector(opts: FactsCacheOptions = {}): Collector<DiskSample> {
  const cache = new FactsCache(readDeviceFacts, opts);
  return {
    name: 'disk',
    read(log) {
      const rows = log.keptParsed('proc/diskstats', parseDiskstats);
      if (rows === undefined) return undefined;
      const facts = cache.of(
        log,
        rows.map((r) => r.name),
      );
      const devices = new Map<string, DiskDevice>();
      for (const stats of rows) {
        const f = facts.get(stats.name);
        if (f === undefined || !f.whole) continue;
        const dev: DiskDevice = { stats, physical: f.physical };
        if (f.rotational !== undefined) dev.rotational = f.rotational;
        const dir = sysBlockDir(stats.name);
        if (f.hasErrorCounters) dev.ioErrors = readErrorCounters(log, dir);
        if (f.isMd) {
          const rel = `${dir}/md/degraded`;
          dev.mdDegraded = log.parse(rel, log.once(rel), (s) => parseIntStrict(s.trim(), rel));
        }
        devices.set(stats.name, dev);
      }
      return { devices };
    },
  };
}

function readErrorCounters(log: SourceLog, dir: string): number | undefined {
  let sum = 0;
  for (const file of ['ioerr_cnt', 'iotmo_cnt']) {
    const rel = `${dir}/device/${file}`;
    const v = log.parse(rel, log.once(rel), (s) => parseHex(s, rel));
    if (v === undefined) return undefined;
    sum += v;
  }
  return sum;
}
