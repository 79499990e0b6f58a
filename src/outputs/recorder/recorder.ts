import { hostname } from 'node:os';
import { join } from 'node:path';
import { FRAME_SCHEMA, type Frame, serializeFrame } from '../../model/frame.js';
import { VERSION } from '../../version.js';
import { isSegmentName, RECORDING_FORMAT, type SegmentHeader, segmentName, segmentOfTail } from './format.js';
import {
  DEFAULT_BATCH_BYTES,
  DEFAULT_BATCH_FRAMES,
  DEFAULT_LEVEL,
  DEFAULT_MEMBER_FRAMES,
  nodeFs,
  type RecorderFs,
  removeRecordingFile,
  SegmentWriter,
} from './segment.js';
import { createTailDir, removeTailDir } from './tail-dir.js';

export type RecorderProblemKind = 'disk_full' | 'unwritable' | 'io_error' | 'frames_dropped';

/** What the agent turns into a log line and a finding; `path` is the file or directory concerned. */
export interface RecorderProblem {
  kind: RecorderProblemKind;
  message: string;
  path: string;
  /** errno code when the problem came from the file system (ENOSPC, EACCES, EROFS…). */
  code?: string;
}

export interface RecorderOptions {
  dir: string;
  /** Hard cap on the total size of the segments in `dir` (default 200 MB). */
  maxBytes?: number;
  /** Segments whose last write is older than this are deleted (default 24 h). */
  retentionMs?: number;
  /** A segment is closed once it holds this many compressed bytes (default maxBytes / 32, at most 16 MiB). */
  segmentBytes?: number;
  /** …or once it spans this much frame time (default 1 h). */
  segmentMs?: number;
  /** Frames per gzip member (default 300): the most a corrupt byte can cost. */
  memberFrames?: number;
  /** Frames kept uncompressed in the segment's tail and then deflated together (default 20). */
  batchFrames?: number;
  /** …or fewer once they hold this many bytes (default 512 KiB, at most segmentBytes / 4). */
  batchBytes?: number;
  /** Frames waiting to be written; more are dropped and counted (default 64). */
  queueFrames?: number;
  /** After a write error, recording pauses this long before trying again (default 30 s). */
  retryMs?: number;
  /** zlib level (default 6). */
  level?: number;
  /**
   * Keep segments' tails on tmpfs, linked from beside them, when the host has one (see
   * createTailDir): the agent and `usewatch record` do; off by default, tails are files beside.
   */
  tailsInMemory?: boolean;
  host?: string;
  onProblem?(problem: RecorderProblem): void;
  /** Recording works again after a pause; the agent resolves what it raised from onProblem. */
  onResume?(info: { path: string; pausedMs: number }): void;
  /** Wall clock for retention and retries; tests inject one. */
  now?: () => number;
  fs?: RecorderFs;
}

export interface RecorderStats {
  framesWritten: number;
  /** Compressed bytes written by this recorder. */
  bytesWritten: number;
  /** Frames not recorded: queue full, or while paused. */
  dropped: number;
  paused: boolean;
  /** Segment files in the directory and their total size, as the recorder accounts them. */
  segments: number;
  diskBytes: number;
  lastError?: string;
}

export interface Recorder {
  /** Queues the frame; returns at once and never throws. */
  write(frame: Frame): void;
  /** Resolves once every queued frame is written (or dropped). */
  flush(): Promise<void>;
  /** Flushes, then closes the segment; never throws. */
  close(): Promise<void>;
  stats(): RecorderStats;
}

export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
export const DEFAULT_RETENTION_MS = 24 * 3_600_000;
const MIN_MAX_BYTES = 64 * 1024;
const RETENTION_CHECK_MS = 60_000;

interface ClosedSegment {
  path: string;
  /** Its tail file, when one may be on disk (a crash, or an earlier run's). */
  tail?: string;
  /** Segment and tail together. */
  size: number;
  mtimeMs: number;
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR']);

export function problemKind(code: string | undefined): RecorderProblemKind {
  if (code !== undefined && DISK_FULL.has(code)) return 'disk_full';
  if (code !== undefined && UNWRITABLE.has(code)) return 'unwritable';
  return 'io_error';
}

interface Settings {
  maxBytes: number;
  retentionMs: number;
  segmentBytes: number;
  segmentMs: number;
  memberFrames: number;
  batchFrames: number;
  batchBytes: number;
  queueFrames: number;
  retryMs: number;
  level: number;
}

function settings(opts: RecorderOptions): Settings {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(maxBytes >= MIN_MAX_BYTES))
    throw new Error(`recorder maxBytes must be at least ${MIN_MAX_BYTES}, got ${maxBytes}`);
  const segmentBytes = opts.segmentBytes ?? Math.min(16 * 1024 * 1024, Math.floor(maxBytes / 32));
  if (!(segmentBytes > 0 && segmentBytes <= maxBytes / 4)) {
    throw new Error(
      `recorder segmentBytes must be positive and at most maxBytes / 4 (${maxBytes / 4}), got ${segmentBytes}`,
    );
  }
  const s: Settings = {
    maxBytes,
    segmentBytes,
    retentionMs: opts.retentionMs ?? DEFAULT_RETENTION_MS,
    segmentMs: opts.segmentMs ?? 3_600_000,
    memberFrames: opts.memberFrames ?? DEFAULT_MEMBER_FRAMES,
    batchFrames: opts.batchFrames ?? DEFAULT_BATCH_FRAMES,
    batchBytes: opts.batchBytes ?? Math.min(DEFAULT_BATCH_BYTES, Math.floor(segmentBytes / 4)),
    queueFrames: opts.queueFrames ?? 64,
    retryMs: opts.retryMs ?? 30_000,
    level: opts.level ?? DEFAULT_LEVEL,
  };
  for (const [name, value] of Object.entries(s)) {
    if (!(Number.isFinite(value) && value > 0))
      throw new Error(`recorder ${name} must be a positive number, got ${value}`);
  }
  return s;
}

/**
 * Appends frames to rotated segment files in `opts.dir`, deleting the oldest segments to keep the
 * directory under `maxBytes` and within `retentionMs`. Writing happens after the caller's tick
 * (setImmediate); a file-system error pauses recording for `retryMs` and is reported once through
 * onProblem, so a full disk costs frames, never the agent.
 */
export function createRecorder(opts: RecorderOptions): Recorder {
  return new DirRecorder(opts);
}

class DirRecorder implements Recorder {
  private readonly s: Settings;
  private readonly fs: RecorderFs;
  private readonly now: () => number;
  private readonly host: string;
  private queue: Frame[] = [];
  private draining: Promise<void> | undefined;
  private writer: SegmentWriter | undefined;
  private closedSegments: ClosedSegment[] | undefined;
  private tailDir: string | undefined;
  private counter = 1;
  private lastRetentionCheck = 0;
  private paused = false;
  private pausedAt = 0;
  private resumeAt = 0;
  private retrying = false;
  private queueFullReported = false;
  private closed = false;
  private framesWritten = 0;
  private bytesWritten = 0;
  private dropped = 0;
  private lastError: string | undefined;

  constructor(private readonly opts: RecorderOptions) {
    this.s = settings(opts);
    this.fs = opts.fs ?? nodeFs;
    this.now = opts.now ?? Date.now;
    this.host = opts.host ?? hostname();
  }

  write(frame: Frame): void {
    if (this.closed) return;
    if (this.paused) {
      if (this.now() < this.resumeAt) {
        this.dropped++;
        return;
      }
      this.paused = false;
      this.retrying = true;
    }
    if (this.queue.length >= this.s.queueFrames) {
      this.dropped++;
      if (!this.queueFullReported) {
        this.queueFullReported = true;
        this.report({
          kind: 'frames_dropped',
          message: `recorder queue full (${this.s.queueFrames} frames): the disk is slower than the tick; dropping frames`,
          path: this.opts.dir,
        });
      }
      return;
    }
    this.queue.push(frame);
    this.schedule();
  }

  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.closeSegment();
    if (this.tailDir !== undefined) await removeTailDir(this.tailDir);
  }

  stats(): RecorderStats {
    const closed = this.closedSegments ?? [];
    const current = this.openBytes();
    return {
      framesWritten: this.framesWritten,
      bytesWritten: this.bytesWritten,
      dropped: this.dropped,
      paused: this.paused,
      segments: closed.length + (this.writer ? 1 : 0),
      diskBytes: closed.reduce((sum, seg) => sum + seg.size, 0) + current,
      lastError: this.lastError,
    };
  }

  private schedule(): void {
    if (this.draining !== undefined) return;
    this.draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        this.draining = undefined;
        if (this.queue.length > 0 && !this.paused) this.schedule();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.paused) {
      const batch = this.queue;
      this.queue = [];
      let written = 0;
      try {
        if (this.closedSegments === undefined) await this.init();
        let lines: string[] = [];
        for (const frame of batch) {
          if (this.needsNewSegment(frame.ts)) {
            written += await this.append(lines);
            lines = [];
            await this.rotate(frame.ts);
          }
          lines.push(serializeFrame(frame));
        }
        written += await this.append(lines);
        this.queueFullReported = false;
        if (this.retrying) {
          this.retrying = false;
          this.opts.onResume?.({ path: this.opts.dir, pausedMs: this.now() - this.pausedAt });
        }
        await this.enforceLimits(false);
      } catch (err) {
        this.dropped += batch.length - written;
        await this.pause(err);
      }
    }
  }

  /**
   * Loads the segments already in the directory (earlier runs count against the cap too), each
   * with the tail a crash left beside it. A tail whose segment is gone is accounted and deleted
   * like a segment of its own: no reader reads it.
   */
  private async init(): Promise<void> {
    await this.fs.mkdir(this.opts.dir, { recursive: true });
    if (this.opts.tailsInMemory && this.tailDir === undefined) this.tailDir = await createTailDir();
    const names = await this.fs.readdir(this.opts.dir);
    const present = new Set(names);
    const segments: ClosedSegment[] = [];
    for (const name of names.filter((n) => isSegmentName(n) || isSegmentName(segmentOfTail(n) ?? '')).sort()) {
      const ofTail = segmentOfTail(name);
      if (ofTail !== undefined && present.has(ofTail)) continue; // counted with its segment
      const path = join(this.opts.dir, name);
      const tail = ofTail === undefined && present.has(`${name}.tail`) ? `${path}.tail` : undefined;
      const main = await this.statOrUndefined(path);
      if (main === undefined) {
        // A tail whose segment is gone, linked to memory a reboot emptied.
        if (ofTail !== undefined) await removeRecordingFile(this.fs, path);
        continue;
      }
      const size = main.size + ((tail && (await this.statOrUndefined(tail))?.size) || 0);
      segments.push({ path, tail, size, mtimeMs: main.mtimeMs });
    }
    this.closedSegments = segments;
    await this.enforceLimits(true);
  }

  private async statOrUndefined(path: string): Promise<{ size: number; mtimeMs: number } | undefined> {
    try {
      return await this.fs.stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return undefined;
    }
  }

  /** Bytes on disk of the open segment and its tail. */
  private openBytes(): number {
    return this.writer === undefined ? 0 : this.writer.bytes + this.writer.tailBytes;
  }

  private needsNewSegment(ts: number): boolean {
    const w = this.writer;
    return w === undefined || w.bytes >= this.s.segmentBytes || ts - w.startTs >= this.s.segmentMs;
  }

  private async append(lines: string[]): Promise<number> {
    if (lines.length === 0) return 0;
    const w = this.writer!;
    const before = w.bytes;
    try {
      await w.append(lines);
    } finally {
      this.bytesWritten += w.bytes - before;
    }
    this.framesWritten += lines.length;
    return lines.length;
  }

  private async rotate(ts: number): Promise<void> {
    await this.closeSegment();
    const header: SegmentHeader = {
      usewatch: 'recording',
      format: RECORDING_FORMAT,
      frameSchema: FRAME_SCHEMA,
      host: this.host,
      agentVersion: VERSION,
      created: ts,
    };
    const opts = {
      memberFrames: this.s.memberFrames,
      level: this.s.level,
      batchFrames: this.s.batchFrames,
      batchBytes: this.s.batchBytes,
      tailDir: this.tailDir,
    };
    for (;;) {
      const path = join(this.opts.dir, segmentName(ts, this.counter++));
      try {
        this.writer = await SegmentWriter.create(this.fs, path, header, opts);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    this.bytesWritten += this.writer.bytes;
    await this.enforceLimits(true);
  }

  private async closeSegment(): Promise<void> {
    const w = this.writer;
    if (w === undefined) return;
    this.writer = undefined;
    try {
      await w.close();
    } catch (err) {
      this.lastError = (err as Error).message;
      this.report(this.problem(err, w.path));
    }
    this.closedSegments?.push(this.closedFrom(w));
  }

  /** A writer's files as they stay on disk once it is closed or abandoned. */
  private closedFrom(w: SegmentWriter): ClosedSegment {
    return { path: w.path, tail: w.tailPath, size: w.bytes + w.tailBytes, mtimeMs: this.now() };
  }

  /**
   * Deletes the oldest segments while the directory is over the cap (the open segment included),
   * and, at most once a minute or on rotation, those past retention.
   */
  private async enforceLimits(checkRetention: boolean): Promise<void> {
    const closed = this.closedSegments;
    if (closed === undefined) return;
    const now = this.now();
    const retentionDue = checkRetention || now - this.lastRetentionCheck >= RETENTION_CHECK_MS;
    let total = closed.reduce((sum, seg) => sum + seg.size, 0) + this.openBytes();
    while (closed.length > 0) {
      const oldest = closed[0];
      const expired = retentionDue && oldest.mtimeMs < now - this.s.retentionMs;
      if (!expired && total <= this.s.maxBytes) break;
      try {
        // The tail first: a segment without its tail still reads; a tail without its segment does not.
        if (oldest.tail !== undefined) await removeRecordingFile(this.fs, oldest.tail);
        await removeRecordingFile(this.fs, oldest.path);
      } catch (err) {
        // removeRecordingFile passes over files already gone: this is a real error, and stops the deleting.
        this.report(this.problem(err, oldest.path));
        break;
      }
      closed.shift();
      total -= oldest.size;
    }
    if (retentionDue) this.lastRetentionCheck = now;
  }

  private async pause(err: unknown): Promise<void> {
    this.dropped += this.queue.length;
    this.queue = [];
    const w = this.writer;
    this.writer = undefined;
    if (w !== undefined) {
      await w.abandon();
      this.closedSegments?.push(this.closedFrom(w));
    }
    this.lastError = (err as Error)?.message ?? String(err);
    const wasRetrying = this.retrying;
    this.paused = true;
    this.retrying = false;
    this.resumeAt = this.now() + this.s.retryMs;
    if (!wasRetrying) {
      this.pausedAt = this.now();
      const problem = this.problem(err, w?.path ?? this.opts.dir);
      this.report({
        ...problem,
        message: `recording paused: ${problem.message}; retrying every ${this.s.retryMs / 1000}s`,
      });
    }
  }

  private problem(err: unknown, path: string): RecorderProblem {
    const code = (err as NodeJS.ErrnoException)?.code;
    const kind = problemKind(code);
    const what = kind === 'disk_full' ? 'disk full' : kind === 'unwritable' ? 'cannot write' : 'I/O error';
    return { kind, code, path, message: `${what} at ${path}: ${(err as Error)?.message ?? err}` };
  }

  private report(problem: RecorderProblem): void {
    try {
      this.opts.onProblem?.(problem);
    } catch {
      // A throwing listener must not break recording.
    }
  }
}
