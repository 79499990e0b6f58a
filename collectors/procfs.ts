import { closeSync, constants, openSync, readdirSync, readlinkSync, readSync, statfsSync, statSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { SourceReport, SourceStatus } from '../src/model/source-report.js';
import { ParseError } from './types.js';

/** Maps an errno to the source status it means for a /proc or /sys read. */
export function statusOfError(err: unknown): { status: SourceStatus; reason: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ESRCH': // the process exited between readdir and read
      return { status: 'absent', reason: code };
    case 'EOPNOTSUPP':
    case 'ENOTSUP':
      return { status: 'absent', reason: `${code} (not supported by this kernel or disabled)` };
    case 'EINVAL':
      return { status: 'absent', reason: 'EINVAL (no value for this device)' };
    case 'EACCES':
    case 'EPERM':
      return { status: 'denied', reason: code };
    default:
      return { status: 'failed', reason: code || String((err as Error)?.message ?? err) };
  }
}

type ReadFailure = { ok: false; status: SourceStatus; reason: string };
type ReadOutcome = { ok: true; text: string } | ReadFailure;

const INITIAL_BUFFER = 64 * 1024;
const PROC_SUPER_MAGIC = 0x9fa0;

/**
 * Reads /proc and /sys under a root ("/" live, a fixture tree in tests). Files read every tick are kept
 * open and re-read from offset 0 (pread), which saves an open+close per file per tick; the process
 * collector keeps each process's stat, schedstat and io open too, and releases them once the process
 * is gone. Reads are synchronous on purpose: procfs answers from memory in microseconds, and the
 * thread pool round trip of an async read costs more than the read itself.
 * Nothing here throws for a missing, denied or vanished file: it reports.
 */
export class ProcFs {
  readonly root: string;
  /** The root with one trailing slash, so that a path is one concatenation (path.join costs ~1 µs a call). */
  private readonly prefix: string;
  private buffer = Buffer.allocUnsafe(INITIAL_BUFFER);
  private readonly kept = new Map<string, number>();
  /** Whether st_size of proc/<pid>/fd counts descriptors (Linux ≥ 6.2): see countFds. */
  private fdSizes: 'yes' | 'no' | 'unknown' | undefined;

  constructor(root = '/') {
    this.root = root;
    this.prefix = root.endsWith('/') ? root : `${root}/`;
  }

  path(rel: string): string {
    return this.prefix + rel;
  }

  /**
   * Reads a file that is read every tick, keeping its descriptor open between ticks. A kept
   * descriptor that fails is closed and the file opened afresh once: a per-pid file answers ESRCH
   * once its process has exited, and a reused pid is a new process whose file must be reopened.
   * `oneRead`: see readOnce.
   */
  readKept(rel: string, oneRead = false): ReadOutcome {
    const fd = this.kept.get(rel);
    if (fd !== undefined) {
      try {
        return { ok: true, text: this.readAll(fd, oneRead) };
      } catch {
        this.drop(rel, fd);
      }
    }
    let opened: number | undefined;
    try {
      opened = openSync(this.path(rel), constants.O_RDONLY);
      const text = this.readAll(opened, oneRead);
      this.kept.set(rel, opened);
      return { ok: true, text };
    } catch (err) {
      if (opened !== undefined) safeClose(opened);
      return { ok: false, ...statusOfError(err) };
    }
  }

  /** Closes a kept descriptor (its process is gone); nothing happens when none is kept. */
  release(rel: string): void {
    const fd = this.kept.get(rel);
    if (fd !== undefined) this.drop(rel, fd);
  }

  private drop(rel: string, fd: number): void {
    this.kept.delete(rel);
    safeClose(fd);
  }

  /**
   * Reads a file once (per-pid files, sysfs attributes read rarely). `oneRead` is for files that the
   * kernel generates whole in one seq_file show (single_open: per-pid stat, schedstat, status, io,
   * limits): a read that leaves room in the buffer has returned all of it, so the read that would
   * only return 0 is skipped. Files of many records (/proc/net/dev, diskstats, vmstat) come a page
   * at a time and are always read to the 0-byte end.
   */
  readOnce(rel: string, oneRead = false): ReadOutcome {
    let fd: number | undefined;
    try {
      fd = openSync(this.path(rel), constants.O_RDONLY);
      return { ok: true, text: this.readAll(fd, oneRead) };
    } catch (err) {
      return { ok: false, ...statusOfError(err) };
    } finally {
      if (fd !== undefined) safeClose(fd);
    }
  }

  listDir(rel: string): { ok: true; names: string[] } | { ok: false; status: SourceStatus; reason: string } {
    try {
      return { ok: true, names: readdirSync(this.path(rel)) };
    } catch (err) {
      return { ok: false, ...statusOfError(err) };
    }
  }

  /**
   * The subdirectories of a directory (a cgroup hierarchy's children), from one readdir: the entry
   * types come with the names, so the many files of a cgroup directory cost no stat each. A
   * directory whose link count is 2 (its own "." and its entry in its parent) has none, since each
   * subdirectory's ".." adds one: cgroupfs counts them so, as the usual disk filesystems do (those
   * that do not give 1). One stat then stands for a listing of a cgroup's 30-odd interface files.
   */
  listSubdirs(rel: string): { ok: true; names: string[] } | { ok: false; status: SourceStatus; reason: string } {
    try {
      const path = this.path(rel);
      if (statSync(path).nlink === 2) return { ok: true, names: [] };
      const names: string[] = [];
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        if (entry.isDirectory()) names.push(entry.name);
      }
      return { ok: true, names };
    } catch (err) {
      return { ok: false, ...statusOfError(err) };
    }
  }

  /**
   * The first `maxBytes` of a file whose size the agent does not control (a container runtime's
   * state files), and whether there was more: a huge file costs at most `maxBytes` of memory.
   */
  readHead(rel: string, maxBytes: number): { ok: true; text: string; truncated: boolean } | ReadFailure {
    let fd: number | undefined;
    try {
      fd = openSync(this.path(rel), constants.O_RDONLY);
      const buffer = Buffer.allocUnsafe(maxBytes + 1);
      let length = 0;
      while (length < buffer.length) {
        const n = readSync(fd, buffer, length, buffer.length - length, length);
        if (n === 0) break;
        length += n;
      }
      return { ok: true, text: buffer.toString('latin1', 0, Math.min(length, maxBytes)), truncated: length > maxBytes };
    } catch (err) {
      return { ok: false, ...statusOfError(err) };
    } finally {
      if (fd !== undefined) safeClose(fd);
    }
  }

  /**
   * Open descriptors of a process (`proc/<pid>/fd`). Since Linux 6.2 procfs gives their number as the
   * directory's st_size, one stat instead of a listing that builds an entry per fd (about 10 µs
   * against 100 µs for 260 fds here), and one that needs no permission on the directory. Older
   * kernels give 0 there; so until a size above 0 has been seen, a 0 is checked by listing, and a
   * listing that finds descriptors where the size said 0 settles it for the old way. A fixture tree
   * (not procfs, by statfs) is always listed.
   */
  countFds(rel: string): { ok: true; count: number } | { ok: false; status: SourceStatus; reason: string } {
    this.fdSizes ??= isProcfs(this.path('proc')) ? 'unknown' : 'no';
    if (this.fdSizes !== 'no') {
      try {
        const count = statSync(this.path(rel)).size;
        if (count > 0) this.fdSizes = 'yes';
        if (this.fdSizes === 'yes') return { ok: true, count };
      } catch (err) {
        return { ok: false, ...statusOfError(err) };
      }
    }
    try {
      const count = readdirSync(this.path(rel)).length;
      if (count > 0 && this.fdSizes === 'unknown') this.fdSizes = 'no';
      return { ok: true, count };
    } catch (err) {
      return { ok: false, ...statusOfError(err) };
    }
  }

  readLink(rel: string): string | undefined {
    try {
      return readlinkSync(this.path(rel));
    } catch {
      return undefined;
    }
  }

  /** statfs(2) on the thread pool; callers bound it with a timeout (see collectors/filesystem). */
  statfs(absPath: string) {
    return statfs(absPath, { bigint: false });
  }

  close(): void {
    for (const fd of this.kept.values()) safeClose(fd);
    this.kept.clear();
  }

  private readAll(fd: number, oneRead: boolean): string {
    let length = 0;
    for (;;) {
      if (length === this.buffer.length) {
        const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
        this.buffer.copy(bigger, 0, 0, length);
        this.buffer = bigger;
      }
      const n = readSync(fd, this.buffer, length, this.buffer.length - length, length);
      if (n === 0) break;
      length += n;
      if (oneRead && length < this.buffer.length) break;
    }
    return this.buffer.toString('latin1', 0, length);
  }
}

function isProcfs(path: string): boolean {
  try {
    return statfsSync(path).type === PROC_SUPER_MAGIC;
  } catch {
    return false;
  }
}

function safeClose(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed or invalid: nothing to release
  }
}

/**
 * Collects the per-source reports of one collector's read and wraps parsing so that bad content
 * becomes a failed report naming the file and the reason, never an exception out of the tick.
 */
export class SourceLog {
  readonly reports: SourceReport[] = [];

  constructor(readonly fs: ProcFs) {}

  /** Text of a kept (every-tick) file, or undefined after recording why not. */
  kept(rel: string): string | undefined {
    return this.take(rel, this.fs.readKept(rel));
  }

  /** Text of a file read once, or undefined after recording why not. */
  once(rel: string, record = true): string | undefined {
    const r = this.fs.readOnce(rel);
    if (r.ok) return r.text;
    if (record) this.reports.push({ source: rel, status: r.status, reason: r.reason });
    return undefined;
  }

  /** Runs a pure parser; a ParseError (or any bug in it) becomes a failed report for that source. */
  parse<T>(rel: string, text: string | undefined, parser: (text: string) => T): T | undefined {
    if (text === undefined) return undefined;
    try {
      const value = parser(text);
      this.reports.push({ source: rel, status: 'ok' });
      return value;
    } catch (err) {
      const reason = err instanceof ParseError ? err.message : `parser error: ${(err as Error)?.message ?? err}`;
      this.reports.push({ source: rel, status: 'failed', reason });
      return undefined;
    }
  }

  /** Reads a kept file and parses it in one step. */
  keptParsed<T>(rel: string, parser: (text: string) => T): T | undefined {
    return this.parse(rel, this.kept(rel), parser);
  }

  report(source: string, status: SourceStatus, reason?: string): void {
    this.reports.push(reason === undefined ? { source, status } : { source, status, reason });
  }

  private take(rel: string, r: ReturnType<ProcFs['readKept']>): string | undefined {
    if (r.ok) return r.text;
    this.reports.push({ source: rel, status: r.status, reason: r.reason });
    return undefined;
  }
}
