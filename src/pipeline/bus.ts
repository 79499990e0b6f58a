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
 * A kept frame's JSON deflated, outside V8's heap, which the garbage collector does not walk. As
 * objects a frame of a host with about 100 processes takes 32 KB of heap; its JSON is 9–14 KB, and
 * deflated at the fastest level 3–4 KB (0.1 ms a frame). The ring serves backfills and resumes
 * only, each frame at most a few times, so it is inflated when read (0.05 ms) rather than kept
 * ready. Bytes rather than the string: one character beyond Latin-1 (the "…" of a shortened
 * process name) makes V8 store the whole text at two bytes a character.
 */
export class DeflatedFrame implements KeptFrame {
  readonly seq: number;
  readonly ts: number;
  /** Exactly the deflated bytes: zlib's own result is a view into a 16 KB chunk. */
  readonly deflated: Buffer;

  constructor(frame: Frame) {
    this.seq = frame.seq;
    this.ts = frame.ts;
    const out = deflateRawSync(serializeFrame(frame), { level: 1 });
    this.deflated = Buffer.allocUnsafeSlow(out.length);
    out.copy(this.deflated);
  }

  get utf8(): Buffer {
    return inflateRawSync(this.deflated);
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
  private readonly ring: KeptFrame[] = [];
  private newest: Frame | undefined;
  private readonly listeners = new Set<FrameListener>();

  constructor(
    readonly capacity: number,
    private readonly onListenerError: (err: unknown) => void = () => {},
  ) {
    if (!(capacity >= 1)) throw new Error(`frame ring capacity must be at least 1, got ${capacity}`);
  }

  publish(frame: Frame): void {
    // serializeFrame keeps the text for as long as the frame lives: the feed and the recorder reuse it.
    this.ring.push(new DeflatedFrame(frame));
    if (this.ring.length > this.capacity) this.ring.shift();
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
    return this.ring;
  }

  /**
   * Frames after `seq`, for a client resuming. `gap` is true when frames after `seq` have already
   * left the ring, so the client knows it missed some.
   */
  since(seq: number): { frames: KeptFrame[]; gap: boolean } {
    const oldest = this.ring[0];
    const frames = this.ring.filter((f) => f.seq > seq);
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
