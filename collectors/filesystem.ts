import type { Collector } from './collector.js';
import { fields, lines, parseCounter, parseIntStrict } from './parse.js';
import { type ProcFs, type SourceLog, statusOfError } from './procfs.js';
import { ParseError } from './types.js';

/** One /proc/self/mountinfo row (see proc(5)); paths have their octal escapes decoded. */
export interface MountInfo {
  mountId: number;
  parentId: number;
  /** "major:minor" of the filesystem's device; the key for telling bind mounts apart. */
  device: string;
  /** Root of the mount inside its filesystem ("/" unless a bind mount of a subdirectory). */
  root: string;
  mountPoint: string;
  /** Per-mount options (ro/rw, nosuid…). */
  options: string[];
  /** Optional fields such as "shared:1", "master:2". */
  optional: string[];
  fstype: string;
  source: string;
  superOptions: string[];
}

const BACKSLASH = 92;

/** Decodes the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
export function unescapeOctal(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      c === BACKSLASH &&
      i + 3 < text.length &&
      isOctal(text, i + 1) &&
      isOctal(text, i + 2) &&
      isOctal(text, i + 3)
    ) {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else out += text[i];
  }
  return out;
}

function isOctal(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 55;
}

/** Parses /proc/self/mountinfo. */
export function parseMountinfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  const rows = lines(text);
  for (let i = 0; i < rows.length; i++) {
    const cols = fields(rows[i]);
    const where = `line ${i + 1}`;
    const sep = cols.indexOf('-', 6);
    if (cols.length < 10 || sep < 0 || cols.length < sep + 4) {
      throw new ParseError(
        `${where}: expected "id parent major:minor root mountpoint options [optional…] - fstype source superoptions"`,
      );
    }
    const device = cols[2];
    const colon = device.indexOf(':');
    if (colon < 0) throw new ParseError(`${where}: device "${device}" is not major:minor`);
    parseCounter(device.slice(0, colon), `${where} major`);
    parseCounter(device.slice(colon + 1), `${where} minor`);
    out.push({
      mountId: parseIntStrict(cols[0], `${where} mount id`),
      parentId: parseIntStrict(cols[1], `${where} parent id`),
      device,
      root: unescapeOctal(cols[3]),
      mountPoint: unescapeOctal(cols[4]),
      options: cols[5].split(','),
      optional: cols.slice(6, sep),
      fstype: cols[sep + 1],
      source: unescapeOctal(cols[sep + 2]),
      superOptions: cols[sep + 3].split(','),
    });
  }
  return out;
}

/** node_exporter's defFSTypesExcluded: pseudo filesystems with no capacity to run out of. */
const EXCLUDED_FSTYPES: ReadonlySet<string> = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'fusectl',
  'hugetlbfs',
  'iso9660',
  'mqueue',
  'nsfs',
  'overlay',
  'proc',
  'procfs',
  'pstore',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'erofs',
  'sysfs',
  'tracefs',
]);

/** node_exporter's defMountPointsExcluded: kernel trees and container layers. */
const EXCLUDED_MOUNT_POINTS =
  /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;

/**
 * The mounts worth watching: pseudo filesystems and excluded trees dropped; of a mount point mounted
 * over several times the visible (last) one; of several mounts of one device (bind mounts) the one with
 * the shortest mount point, since statfs answers the same for all of them.
 */
export function selectMounts(mounts: readonly MountInfo[]): MountInfo[] {
  const byPoint = new Map<string, MountInfo>();
  for (const m of mounts) {
    if (EXCLUDED_FSTYPES.has(m.fstype) || EXCLUDED_MOUNT_POINTS.test(m.mountPoint)) continue;
    byPoint.delete(m.mountPoint);
    byPoint.set(m.mountPoint, m);
  }
  const byDevice = new Map<string, MountInfo>();
  for (const m of byPoint.values()) {
    const seen = byDevice.get(m.device);
    if (seen === undefined || m.mountPoint.length < seen.mountPoint.length) byDevice.set(m.device, m);
  }
  return [...byDevice.values()];
}

export interface StatfsValues {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

export interface MountSample {
  mountPoint: string;
  fstype: string;
  source: string;
  device: string;
  /** 'ro' among the per-mount options: the kernel remounts ext4 read-only on errors=remount-ro. */
  readonly: boolean;
  /** Undefined when statfs failed or the mount is stuck. */
  stats?: StatfsValues;
  /** statfs did not answer within the timeout (dead NFS server, hung FUSE daemon). */
  stuck: boolean;
  /** /sys/fs/ext4/<dev>/errors_count, ext4 only. */
  errorsCount?: number;
}

export interface FilesystemSample {
  /** By mount point. */
  mounts: Map<string, MountSample>;
}

export interface FilesystemCollectorOptions {
  /** How long one statfs may take before the mount is declared stuck (ms). */
  statfsTimeoutMs?: number;
  /** How long a stuck mount is left alone before statfs is tried again (ms). */
  stuckRetryMs?: number;
  /** statfs of an absolute mount point; the default asks the kernel through ProcFs (libuv thread pool). */
  statfs?: (mountPoint: string) => Promise<StatfsValues>;
  /** Monotonic clock in ms; injectable for tests. */
  now?: () => number;
}

const MOUNTINFO = 'proc/self/mountinfo';

export const STUCK_REASON = 'statfs timed out: mount is stuck';

interface StuckMount {
  since: number;
  /** The hung call returned: its thread-pool thread is free again. */
  settled: boolean;
}

const TIMED_OUT = Symbol('timed out');

/**
 * statfs calls bounded by a timeout, and the mounts whose call timed out. A call that times out
 * keeps running on its thread-pool thread, so the mount is left alone until that call has returned
 * and `retryMs` has passed: never a second call stuck on the same mount.
 */
class StuckMounts {
  private readonly stuck = new Map<string, StuckMount>();

  constructor(
    private readonly timeoutMs: number,
    private readonly retryMs: number,
    private readonly now: () => number,
    private readonly statfs: ((mountPoint: string) => Promise<StatfsValues>) | undefined,
  ) {}

  /** Still stuck: a call in flight or a retry not yet due; otherwise it may be tried again. */
  isStuck(mountPoint: string): boolean {
    const hung = this.stuck.get(mountPoint);
    if (hung !== undefined && (!hung.settled || this.now() - hung.since < this.retryMs)) return true;
    this.stuck.delete(mountPoint);
    return false;
  }

  /** Forgets mounts that are no longer selected. */
  keepOnly(live: ReadonlySet<string>): void {
    for (const mp of this.stuck.keys()) if (!live.has(mp)) this.stuck.delete(mp);
  }

  async statfsWithin(log: SourceLog, mountPoint: string): Promise<StatfsValues | typeof TIMED_OUT> {
    const call = this.statfs ? this.statfs(mountPoint) : log.fs.statfs(mountPoint);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      // The timer runs before the loop's poll phase: when a busy tick blocked the loop past the
      // timeout, an answer already waiting there is delivered first, and the mount is not stuck.
      timer = setTimeout(() => setImmediate(() => resolve(TIMED_OUT)), this.timeoutMs);
    });
    try {
      const result = await Promise.race([call, timeout]);
      if (result === TIMED_OUT) this.remember(mountPoint, call);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  private remember(mountPoint: string, call: Promise<unknown>): void {
    const entry: StuckMount = { since: this.now(), settled: false };
    this.stuck.set(mountPoint, entry);
    const settle = () => {
      entry.settled = true;
    };
    call.then(settle, settle);
  }
}

/**
 * /sys/fs/ext4/<name>/errors_count of an ext4 mount. The directory is keyed by the kernel's device
 * name (dm-0), which the mount source (/dev/mapper/vg-root) may not show: the name is found through
 * /sys/dev/block/<major:minor> once per device and kept while the device is mounted, and the file
 * is read through a descriptor kept open as long (sysfs shows the attribute afresh at each read
 * from offset 0), not opened and closed every tick.
 */
class Ext4Errors {
  /** By device: the errors_count file, or undefined when the device's name is no name. */
  private readonly files = new Map<string, string | undefined>();

  read(log: SourceLog, m: MountInfo): number | undefined {
    let rel = this.files.get(m.device);
    if (!this.files.has(m.device)) {
      const name = basename(log.fs.readLink(`sys/dev/block/${m.device}`) ?? m.source);
      rel = name === '' || name === '.' || name === '..' ? undefined : `sys/fs/ext4/${name}/errors_count`;
      this.files.set(m.device, rel);
    }
    if (rel === undefined) return undefined;
    const r = log.fs.readKept(rel);
    if (!r.ok) return undefined;
    return log.parse(rel, r.text, (s) => parseIntStrict(s.trim(), rel));
  }

  /** Forgets devices that are no longer mounted, and closes their files. */
  keepOnly(fs: ProcFs, devices: ReadonlySet<string>): void {
    for (const [device, rel] of this.files) {
      if (devices.has(device)) continue;
      if (rel !== undefined) fs.release(rel);
      this.files.delete(device);
    }
  }
}

function mountSample(m: MountInfo): MountSample {
  return {
    mountPoint: m.mountPoint,
    fstype: m.fstype,
    source: m.source,
    device: m.device,
    readonly: m.options.includes('ro'),
    stuck: false,
  };
}

function statfsValues(r: StatfsValues): StatfsValues {
  return { bsize: r.bsize, blocks: r.blocks, bfree: r.bfree, bavail: r.bavail, files: r.files, ffree: r.ffree };
}

export function createFilesystemCollector(opts: FilesystemCollectorOptions = {}): Collector<FilesystemSample> {
  const now = opts.now ?? (() => performance.now());
  const stuck = new StuckMounts(opts.statfsTimeoutMs ?? 1000, opts.stuckRetryMs ?? 5 * 60_000, now, opts.statfs);
  const ext4 = new Ext4Errors();

  async function readMount(log: SourceLog, m: MountInfo): Promise<MountSample> {
    const sample = mountSample(m);
    const source = `statfs ${m.mountPoint}`;
    if (stuck.isStuck(m.mountPoint)) {
      sample.stuck = true;
      log.report(source, 'failed', STUCK_REASON);
      return sample;
    }
    try {
      const r = await stuck.statfsWithin(log, m.mountPoint);
      if (r === TIMED_OUT) {
        sample.stuck = true;
        log.report(source, 'failed', STUCK_REASON);
      } else sample.stats = statfsValues(r);
    } catch (err) {
      const { status, reason } = statusOfError(err);
      log.report(source, status, reason);
    }
    if (m.fstype === 'ext4') {
      const errors = ext4.read(log, m);
      if (errors !== undefined) sample.errorsCount = errors;
    }
    return sample;
  }

  // mountinfo changes only when something is mounted or unmounted: parsed and selected again then
  let lastMountinfo: string | undefined;
  let selected: MountInfo[] = [];

  return {
    name: 'filesystem',
    async read(log) {
      const text = log.kept(MOUNTINFO);
      if (text === undefined) return undefined;
      if (text === lastMountinfo) log.report(MOUNTINFO, 'ok');
      else {
        const all = log.parse(MOUNTINFO, text, parseMountinfo);
        if (all === undefined) return undefined;
        lastMountinfo = text;
        selected = selectMounts(all);
        stuck.keepOnly(new Set(selected.map((m) => m.mountPoint)));
        ext4.keepOnly(log.fs, new Set(selected.map((m) => m.device)));
      }
      const samples = await Promise.all(selected.map((m) => readMount(log, m)));
      return { mounts: new Map(samples.map((s) => [s.mountPoint, s])) };
    },
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
