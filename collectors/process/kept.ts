import type { ProcFs } from '../procfs.js';
import { parseMaxOpenFiles } from './limits.js';

/**
 * The kept-descriptor policy: the stat, schedstat and io of up to `keepOpen` processes (and the
 * schedstat of the threads read for run delay, run-delay.ts, and the per-tick files of workload
 * cgroups, collectors/cgroup/read.ts) stay open between ticks and are
 * re-read from offset 0, since an open+read+close of a per-pid file costs about three times a
 * pread of a kept one. A directory's descriptors are let go once it is gone.
 */

/** Per-pid files re-read through descriptors kept open. */
export const KEPT_FILES = ['stat', 'schedstat', 'io'];

/** Which files of a directory (a pid, a cgroup) are kept open. */
export interface KeptLayout {
  /** The most a directory keeps, by which its share of the open-file limit is divided. */
  filesPerDir: number;
  /** The kept files of a directory, closed when it is let go. */
  paths(dir: string): readonly string[];
}

/** The process collector's layout: stat, schedstat and io of proc/<pid>. */
export const PROCESS_LAYOUT: KeptLayout = {
  filesPerDir: KEPT_FILES.length,
  paths: (dir) => KEPT_FILES.map((file) => `proc/${dir}/${file}`),
};

/**
 * How many directories may have their files kept open: a quarter of the soft "Max open files" of the
 * agent itself goes to each user of this policy (processes, their threads, cgroups), so that sockets, the recorder
 * and the other collectors always have room. Without a readable limit (a fixture root), `atMost`.
 */
export function keptDirsFor(fs: ProcFs, atMost: number, filesPerDir: number): number {
  const r = fs.readOnce('proc/self/limits', true);
  if (!r.ok) return atMost;
  let limit: number | undefined;
  try {
    limit = parseMaxOpenFiles(r.text);
  } catch {
    return atMost;
  }
  return limit === undefined ? atMost : Math.min(atMost, Math.floor(limit / 4 / filesPerDir));
}

/** A single-record per-pid file, through its kept descriptor when the process is one of those kept. */
export function readPidFile(fs: ProcFs, rel: string, keep: boolean) {
  return keep ? fs.readKept(rel, true) : fs.readOnce(rel, true);
}

/** The directories (pids, cgroups) whose descriptors are kept, with the tick that last read each. */
export class KeptDescriptors {
  private readonly lastRead = new Map<string, number>();
  private limit: number | undefined;

  constructor(
    private readonly atMost: number,
    private readonly layout: KeptLayout = PROCESS_LAYOUT,
  ) {}

  /** Decides the limit at the first tick, from the agent's own soft limit (the ProcFs root's proc/self/limits). */
  startTick(fs: ProcFs): void {
    this.limit ??= keptDirsFor(fs, this.atMost, this.layout.filesPerDir);
  }

  /** Whether a directory's files are to go through kept descriptors: those kept already, and new ones while there is room. */
  offers(dir: string): boolean {
    return this.lastRead.size < (this.limit ?? this.atMost) || this.lastRead.has(dir);
  }

  holds(dir: string): boolean {
    return this.lastRead.has(dir);
  }

  markRead(dir: string, tick: number): void {
    this.lastRead.set(dir, tick);
  }

  /** Closes the descriptors of one directory now (its cgroup is gone). */
  releaseDir(fs: ProcFs, dir: string): void {
    if (!this.lastRead.has(dir)) return;
    for (const rel of this.layout.paths(dir)) fs.release(rel);
    this.lastRead.delete(dir);
  }

  /** Closes the descriptors of directories not read on `tick`: their processes are gone. */
  releaseUnread(fs: ProcFs, tick: number): void {
    this.release(fs, (lastRead) => lastRead !== tick);
  }

  /** Closes the descriptors of directories not read in the last `ticks` ticks up to `tick`. */
  releaseUnreadFor(fs: ProcFs, tick: number, ticks: number): void {
    this.release(fs, (lastRead) => tick - lastRead >= ticks);
  }

  /** Closes every kept descriptor (proc could not be listed, EMFILE among the causes). */
  releaseAll(fs: ProcFs): void {
    this.release(fs, () => true);
  }

  private release(fs: ProcFs, gone: (lastRead: number) => boolean): void {
    this.lastRead.forEach((lastRead, dir) => {
      if (gone(lastRead)) this.releaseDir(fs, dir);
    });
  }
}
