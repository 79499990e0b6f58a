import { type Frame, serializeFrame } from '../model/frame.js';
import { wireSection } from '../model/wire.js';
import { decodeKept, type KeptFrame } from '../pipeline/bus.js';
import { payloadOf, textFrame } from './framing.js';
import { FRAME_SECTIONS, type FrameSection } from './protocol-base.js';

/**
 * The frames' wire messages, one WebSocket frame per section set, built once per frame and shared by
 * every client and by later backfills: a broadcast to a thousand clients serialises a frame once.
 */

/** The frame sections a client receives (all of them unless it subscribed to fewer). */
export interface SectionSet {
  list: FrameSection[];
  /** Cache key: clients with the same set share one serialised buffer. */
  key: string;
}

export const ALL_SECTIONS: SectionSet = { list: FRAME_SECTIONS, key: '*' };
const FRAME_PREFIX = '{"type":"frame",';
const FRAME_PREFIX_UTF8 = Buffer.from(FRAME_PREFIX);
const FRAME_PREFIX_BYTES = FRAME_PREFIX_UTF8.length;

export function sectionSet(requested: readonly FrameSection[]): SectionSet {
  const list = FRAME_SECTIONS.filter((s) => requested.includes(s));
  return list.length === FRAME_SECTIONS.length ? ALL_SECTIONS : { list, key: list.join(',') };
}

/**
 * Section sets whose wire messages are kept per frame besides the full one. Each kept set costs a
 * copy of every frame in the ring (minutes of frames), and a client picks its set: 256 clients with
 * 256 different sets would otherwise hold hundreds of MB. Past this, a set is serialised per write.
 */
export const MAX_CACHED_SECTION_SETS = 8;

/**
 * Wire messages for a frame, one WebSocket frame per section set, shared by every client: a live
 * frame's while it is being broadcast, a kept frame's (the ring's) by every backfill while it stays
 * in the ring (up to MAX_CACHED_SECTION_SETS narrowed sets each).
 */
const wireCache = new WeakMap<Frame | KeptFrame, Map<string, Buffer>>();
export function frameMessage(frame: Frame | KeptFrame, sections: SectionSet): Buffer {
  let byKey = wireCache.get(frame);
  if (byKey === undefined) {
    byKey = new Map();
    wireCache.set(frame, byKey);
  }
  let buf = byKey.get(sections.key);
  if (buf === undefined) {
    buf = textFrame(sections === ALL_SECTIONS ? fullPayload(frame) : narrowed(frameOf(frame), sections));
    const narrowedKept = byKey.size - (byKey.has(ALL_SECTIONS.key) ? 1 : 0);
    if (sections === ALL_SECTIONS || narrowedKept < MAX_CACHED_SECTION_SETS) byKey.set(sections.key, buf);
  }
  return buf;
}

function isKept(frame: Frame | KeptFrame): frame is KeptFrame {
  return 'utf8' in frame;
}

/** The frame's JSON with `"type":"frame"` first: what a client of every section gets. */
function fullPayload(frame: Frame | KeptFrame): string | Buffer {
  if (!isKept(frame)) return FRAME_PREFIX + serializeFrame(frame).slice(1);
  return Buffer.concat([FRAME_PREFIX_UTF8, frame.utf8.subarray(1)]);
}

/** A narrowed set is made from objects: a kept frame is decoded for it (a client asked for fewer sections). */
function frameOf(frame: Frame | KeptFrame): Frame {
  return isKept(frame) ? decodeKept(frame) : frame;
}

function narrowed(frame: Frame, sections: SectionSet): string {
  const wire: Record<string, unknown> = {
    type: 'frame',
    schema: frame.schema,
    seq: frame.seq,
    ts: frame.ts,
    intervalMs: frame.intervalMs,
  };
  for (const s of sections.list) wire[s] = wireSection(frame, s);
  return JSON.stringify(wire);
}

/**
 * Catch-up messages of one broadcast: a frame message that also says how many frames its client
 * skipped. Clients that fell behind together (a stalled network) missed the same count and share
 * one copy per section set.
 */
export class CatchUpMessages {
  private readonly byKey = new Map<string, Buffer>();

  constructor(private readonly frame: Frame) {}

  for(sections: SectionSet, skipped: number): Buffer {
    const key = `${sections.key}:${skipped}`;
    let message = this.byKey.get(key);
    if (message === undefined) {
      message = withSkipped(frameMessage(this.frame, sections), skipped);
      this.byKey.set(key, message);
    }
    return message;
  }
}

function withSkipped(message: Buffer, skipped: number): Buffer {
  return textFrame(
    Buffer.concat([
      Buffer.from(`{"type":"frame","skipped":${skipped},`),
      payloadOf(message).subarray(FRAME_PREFIX_BYTES),
    ]),
  );
}
