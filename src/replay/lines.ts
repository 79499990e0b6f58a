import { FRAME_SCHEMA, type Frame } from '../model/frame.js';
import { expandTables } from '../model/wire.js';
import { RECORDING_FORMAT, type SegmentHeader } from '../outputs/recorder/format.js';

export interface ReplayWarning {
  /** The segment file concerned. */
  path: string;
  message: string;
}

/** Per-segment parse state, so a problem repeated on every line is reported once. */
export interface SegmentParseState {
  path: string;
  header?: SegmentHeader;
  /** A header announced a format this reader does not know: the rest of the segment is skipped. */
  unreadable: boolean;
  warnedSchemas: Set<number>;
  badLines: number;
  firstBadLine?: string;
}

export function newParseState(path: string): SegmentParseState {
  return { path, unreadable: false, warnedSchemas: new Set(), badLines: 0 };
}

const EMPTY_SELF: Frame['self'] = { tickMs: 0, tickCpuMs: 0, collectors: [], skippedTicks: 0, rssBytes: 0 };
const ARRAY_FIELDS = ['use', 'findings', 'events', 'processes', 'kernelEvents', 'sources'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The frames in a decoded text. A last piece without its newline is a write cut short: dropped with
 * a warning. A line that is not JSON or not frame-shaped is counted and reported once per segment
 * by finishSegment(), so one bad region does not flood the user.
 */
export function parseLines(text: string, state: SegmentParseState, warn: (w: ReplayWarning) => void): Frame[] {
  const frames: Frame[] = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end < 0) break;
    if (end > start && !state.unreadable) {
      const frame = parseLine(text.slice(start, end), state, warn);
      if (frame !== undefined) frames.push(frame);
    }
    start = end + 1;
  }
  if (start < text.length && !state.unreadable) {
    warn({
      path: state.path,
      message: `ends with a partial frame (${text.length - start} bytes, a write cut short); dropped`,
    });
  }
  return frames;
}

function parseLine(line: string, state: SegmentParseState, warn: (w: ReplayWarning) => void): Frame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
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
  return value as unknown as Frame;
}

function badLine(state: SegmentParseState, why: string): undefined {
  state.badLines++;
  state.firstBadLine ??= why;
  return undefined;
}

/** Reports the lines skipped in a segment, once. */
export function finishSegment(state: SegmentParseState, warn: (w: ReplayWarning) => void): void {
  if (state.badLines > 0) {
    warn({
      path: state.path,
      message: `${state.badLines} line(s) that are not frames skipped (first: ${state.firstBadLine})`,
    });
  }
}
