import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { type Frame, serializeFrame } from '../model/frame.js';
import { expandTables, parseWireJson } from '../model/wire.js';

/**
 * A frame as the ring keeps it: its wire JSON (serializeFrame, the text the feed sends and the
 * recorder writes) as UTF-8 bytes, with the seq and time a backfill selects by.
 */
export interface KeptFrame {
  readonly seq: number;
  readonly ts: number;
  readonly utf8: Buffer;
}

/**
 * The ring's frames are kept deflated, outside V8's heap, which the garbage collector does not walk.
 * As objects a frame of a host with about 100 processes takes 32 KB of heap; its JSON is 9–14 KB,
 * deflated at the fastest level 3–4 KB (0.1 ms a frame). The ring serves backfills and resumes
 * only, each frame at most a few times, so it is inflated when read (0.05 ms) rather than kept
 * ready. Bytes rather than the string: one character beyond Latin-1 (the "…" of a shortened process
 * name) makes V8 store the whole text at two bytes a character.
 *
 * An 8 KB window and memLevel 5 make zlib's state, malloc'd and freed at each frame's deflate, about
 * 50 KB instead of 270 KB at the defaults, for output 0.2–0.6 % larger: a frame's JSON repeats itself
 * (keys, table rows) at short distances. Inflate reads any window up to its own default 32 KB.
 */
const DEFLATE = { level: 1, windowBits: 13, memLevel: 5 } as const;

/**
 * A kept frame's deflated bytes: a view into its ring's arena while it is in the ring, its own copy
 * after it has left the ring if it had been handed out (a backfill still being written holds it).
 */
export class DeflatedFrame implements KeptFrame {
  constructor(
    readonly seq: number,
    readonly ts: number,
    /** Which frame of its ring this is, counted from 1: what tells whether it was handed out. */
    readonly ordinal: number,
    /** Where its bytes start in the arena; -1 once they are a copy of their own. */
    public offset: number,
    public deflated: Buffer,
  ) {}

  get utf8(): Buffer {
    return inflateRawSync(this.deflated);
  }
}

/**
 * The ring's frames and their deflated bytes in one arena, allocated once for the ring's capacity and
 * written round like the ring itself: a frame's bytes go after the newest frame's, or at the start
 * when they do not fit before the end, over bytes of frames that have left the ring. No buffer is
 * kept per frame (zlib's output is copied in and goes at the next scavenge): 300 buffers of 3–4 KB,
 * each freed five minutes after it was malloc'd among the tick's other allocations, took 2–3 MB of
 * malloc's heap for 1 MB of bytes, and the heap kept that size after the ring had filled.
 *
 * The arena is sized from the frames' mean size: a quarter more than the full ring needs. When a
 * frame finds no room (the host's frames grew), the frames are copied into a larger arena rather
 * than any frame being dropped before the ring is full; when a full ring needs less than half the
 * arena (they shrank), into a smaller one. So it stays between 1.25 and 2.5 times what the ring holds.
 */
class FrameRing {
  readonly frames: DeflatedFrame[] = [];
  private arena = Buffer.alloc(0);
  /** Where the newest frame's bytes end. */
  private head = 0;
  /** Bytes of the frames in the ring. */
  private live = 0;
  private published = 0;
  /** The newest frame handed out (by `lend`): frames up to it are copied out as they leave the ring. */
  private lentThrough = 0;

  constructor(private readonly capacity: number) {}

  push(seq: number, ts: number, deflated: Buffer): void {
    const length = deflated.length;
    if (this.frames.length === this.capacity) this.evictOldest();
    const fitted = this.sizeFor(length);
    let at = this.placeFor(length);
    if (at === undefined) at = this.resize(Math.max(fitted, Math.ceil(this.arena.length * 1.25)));
    else if (this.frames.length + 1 === this.capacity && this.arena.length > 2 * fitted) at = this.resize(fitted);
    const end = at + deflated.copy(this.arena, at);
    this.frames.push(new DeflatedFrame(seq, ts, ++this.published, at, this.arena.subarray(at, end)));
    this.head = end;
    this.live += length;
  }

  /** The frames as they are now are being handed out: their bytes must outlive their place in the arena. */
  lend(): void {
    this.lentThrough = this.published;
  }

  private evictOldest(): void {
    const oldest = this.frames.shift();
    if (oldest === undefined) return;
    this.live -= oldest.deflated.length;
    if (oldest.ordinal <= this.lentThrough) {
      oldest.deflated = Buffer.from(oldest.deflated);
      oldest.offset = -1;
    }
  }

  /** The arena's size for the full ring at the mean size of the frames in it and this one, a quarter over. */
  private sizeFor(length: number): number {
    return Math.ceil(((this.live + length) / (this.frames.length + 1)) * this.capacity * 1.25);
  }

  /** Where `length` bytes fit over no frame still in the ring, if they do. */
  private placeFor(length: number): number | undefined {
    const oldest = this.frames[0];
    const newest = this.frames.at(-1);
    if (oldest === undefined || newest === undefined) return length <= this.arena.length ? 0 : undefined;
    if (newest.offset >= oldest.offset) {
      // The frames lie in one run from the oldest's start to the head: room after it, or before it.
      if (this.arena.length - this.head >= length) return this.head;
      return oldest.offset >= length ? 0 : undefined;
    }
    // They wrap: the room is between the head and the oldest's start.
    return oldest.offset - this.head >= length ? this.head : undefined;
  }

  /** Copies the frames, oldest first, to the start of a new arena of `size` bytes; returns where they end. */
  private resize(size: number): number {
    const arena = Buffer.allocUnsafeSlow(size);
    let end = 0;
    for (const kept of this.frames) {
      const from = end;
      end += kept.deflated.copy(arena, from);
      kept.offset = from;
      kept.deflated = arena.subarray(from, end);
    }
    this.arena = arena;
    this.head = end;
    return end;
  }
}

export type FrameListener = (frame: Frame) => void;

/**
 * In-process fan-out of frames to every output, the latest frame as objects (what /metrics and OTLP
 * read), and a ring of recent frames in wire form so that a view that connects late (a feed client,
 * a resuming client) can be backfilled. A listener that throws is isolated: the others still get
 * the frame.
 */
export class FrameBus {
  private readonly ring: FrameRing;
  private newest: Frame | undefined;
  private readonly listeners = new Set<FrameListener>();

  constructor(
    readonly capacity: number,
    private readonly onListenerError: (err: unknown) => void = () => {},
  ) {
    if (!(capacity >= 1)) throw new Error(`frame ring capacity must be at least 1, got ${capacity}`);
    this.ring = new FrameRing(capacity);
  }

  publish(frame: Frame): void {
    // serializeFrame keeps the text for as long as the frame lives: the feed and the recorder reuse it.
    this.ring.push(frame.seq, frame.ts, deflateRawSync(serializeFrame(frame), DEFLATE));
    this.newest = frame;
    for (const listener of this.listeners) {
      try {
        listener(frame);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  latest(): Frame | undefined {
    return this.newest;
  }

  /** Frames still in the ring, oldest first. */
  recent(): readonly KeptFrame[] {
    this.ring.lend();
    return this.ring.frames;
  }

  /**
   * Frames after `seq`, for a client resuming. `gap` is true when frames after `seq` have already
   * left the ring, so the client knows it missed some.
   */
  since(seq: number): { frames: KeptFrame[]; gap: boolean } {
    this.ring.lend();
    const oldest = this.ring.frames[0];
    const frames = this.ring.frames.filter((f) => f.seq > seq);
    return { frames, gap: oldest !== undefined && oldest.seq > seq + 1 };
  }
}

/**
 * A kept frame as objects again, lists expanded from their tables, for a reader that needs more than
 * its wire text (a feed client subscribed to some sections only). It has no `counters`, which are
 * never serialised.
 */
export function decodeKept(kept: KeptFrame): Frame {
  const wire = parseWireJson(kept.utf8.toString()) as Record<string, unknown>;
  const error = expandTables(wire);
  // The text was made by serializeFrame from a frame of this process: a table it cannot read is a bug.
  if (error !== undefined) throw new Error(`frame ${kept.seq} in the ring: ${error}`);
  return wire as unknown as Frame;
}
