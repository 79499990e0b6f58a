import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { promisify } from 'node:util';
import { constants, Gzip } from 'minizlib';
import { makeDirectory } from './directory.js';
import { type SegmentHeader, tailPathOf } from './format.js';
import { isTailInMemory, tailInDir } from './tail-dir.js';

/** The part of an open file the writer uses. */
export interface SegmentFile {
  /** Writes at `position`, or at the file's current offset when it is null. */
  write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file-system calls the recorder makes; tests inject failures (ENOSPC, EACCES) through it. */
export interface RecorderFs {
  /** Creates the directory and its parents (as `mkdir -p`). */
  mkdir(path: string, opts: { recursive: true }): Promise<unknown>;
  /**
   * With `inMemory`, the file's writes, truncations and close are made on the calling thread rather
   * than libuv's thread pool: only for files on tmpfs, which never wait for a disk.
   */
  open(path: string, flags: string, inMemory?: boolean): Promise<SegmentFile>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<{ size: number; mtimeMs: number }>;
  unlink(path: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  readlink(path: string): Promise<string>;
}

export const nodeFs: RecorderFs = {
  mkdir: (path) => makeDirectory(path),
  open: async (path, flags, inMemory) => {
    const fd = await openFile(path, flags);
    return inMemory ? inlineFile(fd) : fdFile(fd);
  },
  readdir: (path) => fsp.readdir(path),
  stat: (path) => fsp.stat(path),
  unlink: (path) => fsp.unlink(path),
  symlink: (target, path) => fsp.symlink(target, path),
  readlink: (path) => fsp.readlink(path),
};

const openFile = promisify(fs.open);
const truncateFile = promisify(fs.ftruncate);
const fsyncFile = promisify(fs.fsync);
const closeFile = promisify(fs.close);

/**
 * A file written through fs.write's callback: about 12 µs less CPU per frame than a FileHandle
 * (54–65 against 65–79 µs measured for 400-byte writes in a loop), and there is one write per tick.
 */
function fdFile(fd: number): SegmentFile {
  return {
    write: (buffer, offset, length, position) =>
      new Promise((resolve, reject) =>
        fs.write(fd, buffer, offset, length, position, (err, bytesWritten) =>
          err ? reject(err) : resolve({ bytesWritten }),
        ),
      ),
    truncate: (length) => truncateFile(fd, length),
    sync: () => fsyncFile(fd),
    close: () => closeFile(fd),
  };
}

/**
 * A tmpfs file written with synchronous calls: a tail line written this way cost 100 µs of CPU a
 * frame in all, against 173–219 µs through the thread pool, whose two thread wake-ups per write
 * cost more than the write. A file on disk never gets this: its write(2) can wait on a stalled
 * device or a full journal, and the agent must go on ticking while its disk hangs.
 */
function inlineFile(fd: number): SegmentFile {
  return {
    write: async (buffer, offset, length, position) => ({
      bytesWritten: fs.writeSync(fd, buffer, offset, length, position),
    }),
    truncate: async (length) => fs.ftruncateSync(fd, length),
    sync: async () => fs.fsyncSync(fd),
    close: async () => fs.closeSync(fd),
  };
}

/**
 * Removes a segment or a tail, and for a tail in memory the file its link points to (any other
 * link only loses the link). A file already gone is not an error: a crash or a reboot may have
 * taken it.
 */
export async function removeRecordingFile(fs: RecorderFs, path: string): Promise<void> {
  const target = await fs.readlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EINVAL' || err.code === 'ENOENT') return undefined; // a plain file, or none
    throw err;
  });
  if (target !== undefined && isTailInMemory(path, target)) await ignoreMissing(fs.unlink(target));
  await ignoreMissing(fs.unlink(path));
}

async function ignoreMissing(done: Promise<void>): Promise<void> {
  try {
    await done;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export interface SegmentWriterOptions {
  /** Frames per gzip member: a damaged member loses at most this many frames. */
  memberFrames: number;
  /** zlib level 1–9. */
  level: number;
  /** Frames kept in the tail before they are deflated together; 1 deflates every frame at once. */
  batchFrames: number;
  /** …or fewer, once they hold this many bytes. */
  batchBytes: number;
  /**
   * A directory on tmpfs for the tail, which is then a symbolic link beside the segment to a file
   * there, written without the thread pool (see inlineFile). Without it the tail is a file beside.
   */
  tailDir?: string;
}

export const DEFAULT_MEMBER_FRAMES = 300;
export const DEFAULT_LEVEL = 6;
/** 20 s at 1 s: the tail is cut back before the kernel's writeback (30 s by default) sends it to disk. */
export const DEFAULT_BATCH_FRAMES = 20;
export const DEFAULT_BATCH_BYTES = 512 * 1024;

const DEFAULT_OPTIONS: SegmentWriterOptions = {
  memberFrames: DEFAULT_MEMBER_FRAMES,
  level: DEFAULT_LEVEL,
  batchFrames: DEFAULT_BATCH_FRAMES,
  batchBytes: DEFAULT_BATCH_BYTES,
};

/**
 * One segment file and its tail. A frame is durable against a process crash once append()
 * resolves: its line has been written (write(2) returned) to the tail, plain NDJSON beside the
 * segment (a file, or a link to one on tmpfs), or, every `batchFrames` frames, the batch has been deflated with a Z_SYNC_FLUSH
 * and written to the segment, after which the tail is truncated. A kill between those two writes
 * leaves the batch in both; readers skip the tail's repeats by `seq`.
 *
 * Why batches: run once a second, a deflate call finds zlib's 200 KB of window and hash tables
 * cold, and cost 190–270 µs for a 9 KB frame whatever the level (40 µs when warm, and 136 µs for
 * 456 bytes: mostly fixed). Twenty frames in one call cost 44–71 µs a frame, cold. Writing the
 * line to the tail costs less than deflating it alone. A tail on disk is truncated away before
 * the kernel's writeback (30 s) would send it there, so keeping it in memory loses nothing that a
 * power cut would have spared.
 * Keeping one deflate stream across batches (rather than one gzip member each) lets each frame
 * be compressed against the previous ones, which is most of the size saving: frames differ little.
 *
 * Compression is minizlib's, synchronous on the main thread: node:zlib's stream makes two trips
 * to the thread pool per call (a write, then a flush), which cost more than deflating. It runs in
 * the recorder's setImmediate, off the tick.
 */
export class SegmentWriter {
  /** Compressed bytes in the segment file. */
  bytes = 0;
  /** Bytes of the tail: frames not yet in the segment. */
  tailBytes = 0;
  readonly tailPath: string;
  private member: Gzip | undefined;
  private memberLines = 0;
  private out: Buffer[] = [];
  /** Lines not yet deflated, each with its newline; the tail holds its first `tailBytes`. */
  private staged = Buffer.allocUnsafe(64 * 1024);
  private stagedBytes = 0;
  /** End offset in `staged` of each staged line. */
  private stagedEnds: number[] = [];
  private tail: SegmentFile | undefined;

  private constructor(
    private readonly fs: RecorderFs,
    readonly path: string,
    readonly startTs: number,
    private readonly file: SegmentFile,
    private readonly opts: SegmentWriterOptions,
  ) {
    this.tailPath = tailPathOf(path);
  }

  /** Creates the file (never overwrites one: EEXIST is the caller's to handle) and writes the header. */
  static async create(
    fs: RecorderFs,
    path: string,
    header: SegmentHeader,
    opts: Partial<SegmentWriterOptions> = {},
  ): Promise<SegmentWriter> {
    const file = await fs.open(path, 'wx');
    const writer = new SegmentWriter(fs, path, header.created, file, { ...DEFAULT_OPTIONS, ...opts });
    try {
      // Straight into the segment: a tail must never exist without the header it belongs to.
      writer.stage(JSON.stringify(header));
      writer.deflateStaged();
      await writer.writeOut();
    } catch (err) {
      // Not even the header made it: the file holds no frame, so leave nothing behind to account for.
      await writer.abandon();
      await fs.unlink(path).catch(() => undefined);
      throw err;
    }
    return writer;
  }

  /** Appends complete lines (without their newline) and makes them durable against a process crash. */
  async append(lines: readonly string[]): Promise<void> {
    for (const line of lines) this.stage(line);
    const batchFull =
      this.stagedEnds.length >= this.opts.batchFrames ||
      this.stagedBytes >= this.opts.batchBytes ||
      this.memberLines + this.stagedEnds.length >= this.opts.memberFrames;
    if (batchFull) await this.commitStaged();
    else await this.writeTail();
  }

  /** Deflates what the tail holds, ends the gzip member, fsyncs, closes, then removes the tail. */
  async close(): Promise<void> {
    let complete = false;
    try {
      this.deflateStaged();
      if (this.member !== undefined) this.endMember();
      await this.writeOut();
      await this.file.sync();
      complete = true;
    } finally {
      await this.file.close();
      await this.closeTail(complete);
    }
  }

  /**
   * Gives the files up after a failed write; what reached the disk stays readable up to the
   * damage, the tail included.
   */
  async abandon(): Promise<void> {
    this.member?.close();
    this.member = undefined;
    this.out = [];
    this.stagedBytes = 0;
    this.stagedEnds = [];
    await this.file.close().catch(() => undefined);
    await this.closeTail(false).catch(() => undefined);
  }

  /** Copies the line and its newline after the staged ones, growing the buffer when it does not fit. */
  private stage(line: string): void {
    const max = this.stagedBytes + line.length * 3 + 1;
    if (max > this.staged.length) {
      const grown = Buffer.allocUnsafe(Math.max(max, this.staged.length * 2));
      this.staged.copy(grown, 0, 0, this.stagedBytes);
      this.staged = grown;
    }
    this.stagedBytes += this.staged.write(line, this.stagedBytes, 'utf8');
    this.staged[this.stagedBytes++] = 0x0a;
    this.stagedEnds.push(this.stagedBytes);
  }

  /** Writes the staged lines the tail does not hold yet. */
  private async writeTail(): Promise<void> {
    this.tail ??= await this.openTail();
    await writeAll(this.tail, this.staged.subarray(this.tailBytes, this.stagedBytes), this.tailBytes, this.tailPath);
    this.tailBytes = this.stagedBytes;
  }

  /**
   * The tail in memory when there is a tail directory: the file there first, then the link to it,
   * so that a link only ever dangles after a reboot. When either fails (a full tmpfs, a file system
   * without links such as vfat) the tail is a file beside the segment, as without a tail directory.
   */
  private async openTail(): Promise<SegmentFile> {
    const dir = this.opts.tailDir;
    if (dir !== undefined) {
      const target = tailInDir(dir, this.tailPath);
      const file = await this.fs.open(target, 'w', true).catch(() => undefined);
      if (file !== undefined) {
        try {
          await this.fs.symlink(target, this.tailPath);
          return file;
        } catch {
          await file.close();
          await ignoreMissing(this.fs.unlink(target));
        }
      }
    }
    return this.fs.open(this.tailPath, 'w');
  }

  /** Deflates the staged lines into the segment, then empties the tail. */
  private async commitStaged(): Promise<void> {
    this.deflateStaged();
    await this.writeOut();
    if (this.tailBytes > 0) {
      await this.tail!.truncate(0);
      this.tailBytes = 0;
    }
  }

  /** One deflate call (with its sync flush) per gzip member the staged lines fall in. */
  private deflateStaged(): void {
    let from = 0;
    let line = 0;
    while (line < this.stagedEnds.length) {
      if (this.member === undefined) this.startMember();
      const take = Math.min(this.stagedEnds.length - line, this.opts.memberFrames - this.memberLines);
      const to = this.stagedEnds[line + take - 1];
      this.member!.write(this.staged.subarray(from, to));
      this.memberLines += take;
      line += take;
      from = to;
      if (this.memberLines >= this.opts.memberFrames) this.endMember();
    }
    // minizlib consumes its input before write() returns: the buffer can be reused at once.
    this.stagedBytes = 0;
    this.stagedEnds = [];
  }

  private startMember(): void {
    // Every write deflates its lines and sync-flushes in the same call into zlib: a separate flush()
    // was a second trip through minizlib and the binding.
    const gzip = new Gzip({ level: this.opts.level, flush: constants.Z_SYNC_FLUSH });
    gzip.on('data', (chunk: Buffer) => this.out.push(chunk));
    this.member = gzip;
    this.memberLines = 0;
  }

  /** Ends the gzip member: its trailer (CRC, length) goes out with the next writeOut. */
  private endMember(): void {
    const gzip = this.member!;
    this.member = undefined;
    gzip.end();
  }

  private async writeOut(): Promise<void> {
    if (this.out.length === 0) return;
    const buf = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out);
    this.out = [];
    await writeAll(this.file, buf, null, this.path, (n) => {
      this.bytes += n;
    });
  }

  private async closeTail(remove: boolean): Promise<void> {
    const tail = this.tail;
    if (tail === undefined) return;
    this.tail = undefined;
    await tail.close();
    if (!remove) return;
    await removeRecordingFile(this.fs, this.tailPath);
    this.tailBytes = 0;
  }
}

/** Writes all of `buf` at `position` (or the current offset), looping over short writes. */
async function writeAll(
  file: SegmentFile,
  buf: Buffer,
  position: number | null,
  path: string,
  onWritten?: (n: number) => void,
): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const at = position === null ? null : position + offset;
    const { bytesWritten } = await file.write(buf, offset, buf.length - offset, at);
    if (bytesWritten <= 0) throw Object.assign(new Error(`no progress writing ${path}`), { code: 'EIO' });
    offset += bytesWritten;
    onWritten?.(bytesWritten);
  }
}
