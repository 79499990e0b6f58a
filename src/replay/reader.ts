import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Frame, FrameSource } from '../model/frame.js';
import { parseSegmentName, tailPathOf } from '../outputs/recorder/format.js';
import { sanitize } from '../text/sanitize.js';
import {
  finishSegment,
  LineSplitter,
  newParseState,
  type ReadLimits,
  type ReplayWarning,
  type SegmentParseState,
  segmentDone,
} from './lines.js';
import { decodedPieces, fileRegions, type Region } from './regions.js';

export interface RecordingSegment {
  path: string;
  /** Start time from the file name, for usewatch segment names; undefined for any other file. */
  startTs?: number;
  gzip: boolean;
  /** The segment's tail (its newest frames, not yet compressed), when there is one. */
  tail?: string;
}

const RECORDING_FILE = /\.ndjson(?:\.gz)?$/;

/**
 * The segments of a recording in time order: a FILE is one segment; a DIR holds usewatch segments
 * (sorted by their time-stamped names) and any other *.ndjson or *.ndjson.gz files (sorted by name).
 * Each comes with its tail file when one is beside it.
 */
export async function listSegments(path: string): Promise<RecordingSegment[]> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? `no recording at ${path}` : `cannot read recording ${path}: ${(err as Error).message}`,
    );
  }
  const names = st.isDirectory() ? await readdir(path) : undefined;
  const paths = names
    ? names
        .filter((name) => RECORDING_FILE.test(name))
        .sort()
        .map((name) => join(path, name))
    : [path];
  const hasTail = names
    ? (p: string) => Promise.resolve(names.includes(basename(tailPathOf(p))))
    : (p: string) =>
        stat(tailPathOf(p)).then(
          (t) => t.isFile(),
          () => false,
        );
  const segments: RecordingSegment[] = [];
  for (const p of paths) {
    segments.push({
      path: p,
      startTs: parseSegmentName(basename(p))?.startTs,
      gzip: await isGzip(p),
      tail: (await hasTail(p)) ? tailPathOf(p) : undefined,
    });
  }
  return segments;
}

async function isGzip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await file.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await file.close();
  }
}

/** A region of a segment's file, or the whole of its tail file. */
export interface RegionRead {
  path: string;
  region: Region;
  gzip: boolean;
}

const WHOLE_FILE: Region = { offset: 0, length: Number.POSITIVE_INFINITY };

/**
 * The frames of one region as it is decoded, warning about damage and partial frames. Nothing is
 * held beyond the piece being decoded and the frames it completes; a segment past its limits stops.
 */
export async function* regionFrames(
  read: RegionRead,
  state: SegmentParseState,
  warn: (w: ReplayWarning) => void,
): AsyncGenerator<Frame> {
  const lines = new LineSplitter(state, warn);
  const pieces = decodedPieces(read.path, read.region, read.gzip);
  const before = state.frames;
  for (;;) {
    const next = await pieces.next();
    if (next.done) {
      if (next.value !== undefined) {
        warn({
          path: state.path,
          message: `damaged at byte ${read.region.offset}+ (${next.value}): ${state.frames - before} frame(s) read before it; continuing at the next gzip member`,
        });
      }
      break;
    }
    yield* lines.push(next.value);
    if (segmentDone(state)) {
      await pieces.return(undefined);
      return;
    }
  }
  lines.end();
}

/**
 * The frames of a segment's tail that its segment does not hold. A writer killed after deflating a
 * batch into the segment but before truncating the tail leaves that batch in both; a segment is
 * one run's, so its frames' `seq` only grows, and the repeats are those at or below `lastSeq`.
 * A tail that is gone (its segment was closed meanwhile) holds nothing. The tail shares its
 * segment's limits.
 */
export async function* tailFrames(
  tail: string,
  segmentState: SegmentParseState,
  lastSeq: number,
  warn: (w: ReplayWarning) => void,
): AsyncGenerator<Frame> {
  if (segmentDone(segmentState)) return;
  const state: SegmentParseState = { ...newParseState(tail, segmentState.limits), header: segmentState.header };
  state.decodedBytes = segmentState.decodedBytes;
  state.frames = segmentState.frames;
  try {
    for await (const frame of regionFrames({ path: tail, region: WHOLE_FILE, gzip: false }, state, warn)) {
      if (frame.seq > lastSeq) yield frame;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    warn({ path: tail, message: `cannot read: ${(err as Error).message}` });
  } finally {
    finishSegment(state, warn);
  }
}

/** Every frame of a segment in file order, then its tail's; damage and bad lines become warnings, never exceptions. */
export async function* segmentFrames(
  segment: RecordingSegment,
  warn: (w: ReplayWarning) => void,
  limits?: ReadLimits,
): AsyncGenerator<Frame> {
  const state = newParseState(segment.path, limits);
  let lastSeq = Number.NEGATIVE_INFINITY;
  try {
    const regions = segment.gzip ? fileRegions(segment.path) : [WHOLE_FILE];
    for await (const region of regions) {
      for await (const frame of regionFrames({ path: segment.path, region, gzip: segment.gzip }, state, warn)) {
        lastSeq = frame.seq;
        yield frame;
      }
      if (segmentDone(state)) break;
    }
  } catch (err) {
    warn({ path: segment.path, message: `cannot read: ${(err as Error).message}` });
  } finally {
    finishSegment(state, warn);
  }
  if (segment.tail !== undefined) yield* tailFrames(segment.tail, state, lastSeq, warn);
}

/** Warnings as printed: a file name or a recorded line quoted in one may hold anything. */
export function inertWarnings(warn: (w: ReplayWarning) => void): (w: ReplayWarning) => void {
  return (w) => warn({ path: sanitize(w.path), message: sanitize(w.message) });
}

export interface ReadOptions {
  /** Epoch ms: frames before are skipped. */
  from?: number;
  /** Epoch ms: frames after are skipped. */
  to?: number;
  /** Warnings arrive sanitised. */
  onWarning?: (warning: ReplayWarning) => void;
  /** Bounds on what is decoded (READ_LIMITS by default). */
  limits?: ReadLimits;
}

/**
 * The recorded frames of a FILE or DIR within [from, to], in time order: what `usewatch check
 * --replay` evaluates and `usewatch replay --format` prints. Segments wholly outside the range
 * are not read. Throws only when `path` itself cannot be read.
 */
export async function readRecording(path: string, opts: ReadOptions = {}): Promise<FrameSource> {
  const segments = await listSegments(path);
  const warn = opts.onWarning ? inertWarnings(opts.onWarning) : () => {};
  const from = opts.from ?? Number.NEGATIVE_INFINITY;
  const to = opts.to ?? Number.POSITIVE_INFINITY;
  return (async function* () {
    for (let i = 0; i < segments.length; i++) {
      // Names carry whole seconds: the next segment may have started up to 1 s after its name says.
      const next = segments[i + 1]?.startTs;
      if (next !== undefined && next + 1000 <= from) continue;
      const start = segments[i].startTs;
      if (start !== undefined && start > to) break;
      for await (const frame of segmentFrames(segments[i], warn, opts.limits)) {
        if (frame.ts >= from && frame.ts <= to) yield frame;
      }
    }
  })();
}
