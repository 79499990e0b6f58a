import { FRAME_SCHEMA, type Frame } from '../model/frame.js';
import { expandTables, parseWireJson } from '../model/wire.js';
import { RECORDING_FORMAT, type SegmentHeader } from '../outputs/recorder/format.js';

export interface ReplayWarning {
  /** The segment file concerned. */
  path: string;
  message: string;
}

/**
 * What a reader takes from a recording before it stops: a recording may come from anywhere, and a
 * small gzip file can decode to gigabytes (deflate expands up to about 1030 times).
 */
export interface ReadLimits {
  /** A longer line is skipped and counted. A frame is about 10 KB on a small VM. */
  maxLineBytes: number;
  /** Decoded bytes read from one segment, its tail included; the rest of the segment is skipped. */
  maxSegmentBytes: number;
}

export const READ_LIMITS: Readonly<ReadLimits> = { maxLineBytes: 1024 * 1024, maxSegmentBytes: 256 * 1024 * 1024 };

/** Per-segment parse state, so a problem repeated on every line is reported once. */
export interface SegmentParseState {
  path: string;
  limits: ReadLimits;
  header?: SegmentHeader;
  /** A header announced a format this reader does not know: the rest of the segment is skipped. */
  unreadable: boolean;
  warnedSchemas: Set<number>;
  badLines: number;
  firstBadLine?: string;
  /** Lines longer than limits.maxLineBytes, skipped. */
  longLines: number;
  /** Decoded bytes taken from the segment so far. */
  decodedBytes: number;
  /** Frames taken from the segment so far. */
  frames: number;
  /** The segment decoded to more than limits.maxSegmentBytes: the rest is skipped. */
  oversized: boolean;
  /** Lines parsed in a row that were not frames; past MAX_BAD_IN_A_ROW the rest is skipped. */
  badInARow: number;
}

/**
 * Object lines in a row that are not frames before a segment is given up: a recording has none
 * (damage shows as garbage, not as objects), and a file of small objects would be slow to parse.
 */
export const MAX_BAD_IN_A_ROW = 1000;

export function newParseState(path: string, limits: ReadLimits = READ_LIMITS): SegmentParseState {
  return {
    path,
    limits,
    unreadable: false,
    warnedSchemas: new Set(),
    badLines: 0,
    longLines: 0,
    decodedBytes: 0,
    frames: 0,
    oversized: false,
    badInARow: 0,
  };
}

/** Whether nothing more of the segment is to be read. */
export function segmentDone(state: SegmentParseState): boolean {
  return state.unreadable || state.oversized || state.badInARow > MAX_BAD_IN_A_ROW;
}

const MIB = 1024 * 1024;
const OPEN_BRACE = 0x7b;
const NEWLINE = 0x0a;
const size = (bytes: number) => (bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`);

/**
 * Cuts the decoded bytes of one region into lines and parses them, holding at most one line of at
 * most limits.maxLineBytes; a longer one is skipped without being held. A last piece without its
 * newline is a write cut short: dropped with a warning. Lines that are not JSON or not
 * frame-shaped are counted and reported once per segment by finishSegment(), so one bad region does
 * not flood the user.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping = false;

  constructor(
    private readonly state: SegmentParseState,
    private readonly warn: (w: ReplayWarning) => void,
  ) {}

  /** The frames completed by the next piece of decoded bytes. */
  push(piece: Buffer): Frame[] {
    const { state } = this;
    const frames: Frame[] = [];
    if (segmentDone(state)) return frames;
    let bytes = piece;
    const room = state.limits.maxSegmentBytes - state.decodedBytes;
    if (bytes.length > room) bytes = bytes.subarray(0, Math.max(0, room));
    state.decodedBytes += bytes.length;
    let start = 0;
    while (start < bytes.length && !segmentDone(state)) {
      if (this.partBytes === 0 && !this.skipping) {
        const junk = junkLines(bytes, start);
        if (junk.count > 0) {
          state.badLines += junk.count;
          state.firstBadLine ??= junk.first;
        }
        start = junk.end;
        if (!junk.atObject) break; // the rest of the piece is a line that goes on in the next one
      }
      const end = bytes.indexOf(NEWLINE, start);
      if (end < 0) break;
      const line = this.complete(bytes.subarray(start, end));
      if (line !== undefined && line.length > 0 && !junkLine(line, state)) {
        const frame = parseLine(line.toString('utf8'), state, this.warn);
        if (frame !== undefined) {
          state.frames++;
          frames.push(frame);
        }
        if (state.badInARow > MAX_BAD_IN_A_ROW) {
          this.warn({
            path: state.path,
            message: `${state.badInARow} lines in a row that are not frames: ${state.frames} frame(s) read, the rest of the segment skipped`,
          });
        }
      }
      this.parts = [];
      this.partBytes = 0;
      this.skipping = false;
      start = end + 1;
    }
    if (!state.unreadable) this.take(bytes.subarray(start));
    if (bytes.length < piece.length) {
      state.oversized = true;
      this.parts = [];
      this.partBytes = 0;
      this.warn({
        path: state.path,
        message: `decodes to more than ${size(state.limits.maxSegmentBytes)}: ${state.frames} frame(s) read from its first ${size(state.limits.maxSegmentBytes)}, the rest of the segment skipped`,
      });
    }
    return frames;
  }

  /** The end of the region: what is left is a partial line. */
  end(): void {
    if (this.partBytes > 0 && !segmentDone(this.state)) {
      this.warn({
        path: this.state.path,
        message: `ends with a partial frame (${this.partBytes} bytes, a write cut short); dropped`,
      });
    }
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
  }

  /** The line ended by `bytes`, unless it is too long. */
  private complete(bytes: Buffer): Buffer | undefined {
    if (this.partBytes === 0 && !this.skipping) {
      if (bytes.length <= this.state.limits.maxLineBytes) return bytes;
      this.state.longLines++;
      return undefined;
    }
    this.take(bytes);
    if (this.skipping) return undefined;
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
  }

  private take(bytes: Buffer): void {
    if (bytes.length === 0 || this.skipping) return;
    if (this.partBytes + bytes.length > this.state.limits.maxLineBytes) {
      this.state.longLines++;
      this.skipping = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    // A copy: a subarray would keep the whole decoded piece (up to megabytes) alive.
    this.parts.push(Buffer.from(bytes));
    this.partBytes += bytes.length;
  }
}

/**
 * The shortest line that can be a header or a frame: `{"usewatch":"recording"}` (a frame needs
 * more). A shorter line is not parsed.
 */
const MIN_OBJECT_LINE = 24;

/**
 * Lines from `start` that cannot be frames or headers, which are all objects: those not starting
 * with "{" and those too short to be one. Counted by one pass over the bytes rather than parsed
 * line by line, so that a bomb of millions of short lines costs little. Stops before the next line
 * that may be an object (`atObject`), or after the last complete line of the piece.
 */
function junkLines(bytes: Buffer, start: number): { end: number; count: number; first: string; atObject: boolean } {
  let count = 0;
  let lineStart = start;
  let first = '';
  for (let i = start; i < bytes.length; i++) {
    if (bytes[i] !== NEWLINE) {
      if (i - lineStart === MIN_OBJECT_LINE - 1 && bytes[lineStart] === OPEN_BRACE) {
        return { end: lineStart, count, first, atObject: true };
      }
      continue;
    }
    if (i > lineStart) {
      if (count === 0) first = junkReason(bytes.subarray(lineStart, Math.min(i, lineStart + 60)));
      count++;
    }
    lineStart = i + 1;
  }
  return { end: lineStart, count, first, atObject: false };
}

/** A line cut across pieces is judged as junkLines() judges the others: counted without being parsed. */
function junkLine(line: Buffer, state: SegmentParseState): boolean {
  if (line[0] === OPEN_BRACE && line.length >= MIN_OBJECT_LINE) return false;
  state.badLines++;
  state.firstBadLine ??= junkReason(line.subarray(0, 60));
  return true;
}

function junkReason(start: Buffer): string {
  return `${start[0] === OPEN_BRACE ? 'too short for a frame' : 'not JSON'}: ${start.toString('utf8')}`;
}

const EMPTY_SELF: Frame['self'] = { tickMs: 0, tickCpuMs: 0, collectors: [], skippedTicks: 0, rssBytes: 0 };
const ARRAY_FIELDS = ['use', 'findings', 'events', 'processes', 'kernelEvents', 'sources'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseLine(line: string, state: SegmentParseState, warn: (w: ReplayWarning) => void): Frame | undefined {
  let value: unknown;
  try {
    value = parseWireJson(line);
  } catch {
    return badLine(state, `not JSON: ${line.slice(0, 60)}`);
  }
  if (!isObject(value)) return badLine(state, 'not a JSON object');
  if (value.usewatch === 'recording') {
    const format = value.format;
    if (typeof format !== 'number' || format > RECORDING_FORMAT) {
      state.unreadable = true;
      warn({
        path: state.path,
        message: `recording format ${String(format)} is newer than this usewatch reads (${RECORDING_FORMAT}); segment skipped: upgrade usewatch to replay it`,
      });
    } else {
      state.header = value as unknown as SegmentHeader;
      state.badInARow = 0;
    }
    return undefined;
  }
  const schema = value.schema;
  if (typeof schema !== 'number') return badLine(state, 'no "schema" number');
  if (schema > FRAME_SCHEMA) {
    if (!state.warnedSchemas.has(schema)) {
      state.warnedSchemas.add(schema);
      warn({
        path: state.path,
        message: `frames of schema ${schema} are newer than this usewatch reads (${FRAME_SCHEMA}); skipped: upgrade usewatch to replay them`,
      });
    }
    return undefined;
  }
  if (typeof value.ts !== 'number' || !Number.isFinite(value.ts)) return badLine(state, 'no "ts" time');
  if (typeof value.seq !== 'number') return badLine(state, 'no "seq" number');
  if (!isObject(value.metrics)) return badLine(state, 'no "metrics" object');
  if (!isObject(value.host)) return badLine(state, 'no "host" object');
  const tableError = expandTables(value);
  if (tableError) return badLine(state, tableError);
  for (const field of ARRAY_FIELDS) {
    if (value[field] === undefined) value[field] = [];
    else if (!Array.isArray(value[field])) return badLine(state, `"${field}" is not an array`);
  }
  if (typeof value.intervalMs !== 'number') value.intervalMs = 0;
  if (!isObject(value.self)) value.self = { ...EMPTY_SELF, collectors: [] };
  state.badInARow = 0;
  return value as unknown as Frame;
}

function badLine(state: SegmentParseState, why: string): undefined {
  state.badLines++;
  state.badInARow++;
  state.firstBadLine ??= why;
  return undefined;
}

/** Reports the lines skipped in a segment, once. */
export function finishSegment(state: SegmentParseState, warn: (w: ReplayWarning) => void): void {
  if (state.longLines > 0) {
    warn({
      path: state.path,
      message: `${state.longLines} line(s) longer than ${size(state.limits.maxLineBytes)} skipped`,
    });
  }
  if (state.badLines > 0) {
    warn({
      path: state.path,
      message: `${state.badLines} line(s) that are not frames skipped (first: ${state.firstBadLine})`,
    });
  }
}
