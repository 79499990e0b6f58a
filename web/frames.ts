import type { Frame } from '../src/model/frame.js';
import { frameOfWire } from './resume.js';

/**
 * A frame as the page holds it: `breakBefore` when frames are missing between it and the one before;
 * `id` its number in the order the page took frames, which only grows (caches key on it). `frame`
 * is decoded from the frame's wire form when first read, except for the newest and the pinned one.
 */
export interface HeldFrame {
  readonly frame: Frame;
  readonly breakBefore: boolean;
  readonly id: number;
  /** The frame's time, read without decoding it. */
  readonly ts: number;
}

/** Decoded frames kept besides the newest and the pinned one: the last few a view asked for. */
const DECODED_KEPT = 4;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * The frames the page holds (the feed's backfill, then live ones), newest last, at most `capacity`:
 * the ring charts and the scrub bar read. Each frame is kept in the form it came in on the feed, as
 * UTF-8 bytes (a third of the decoded objects), with its seq, time and break in typed arrays; it is
 * decoded again only when a view reads it. Paused, the view stays on one frame while frames keep
 * arriving; scrubbing moves that frame. A frame that does not follow its predecessor (a gap, frames
 * skipped for a slow viewer, an agent restart) starts a new stretch, so no chart joins across it.
 */
export class FrameRing {
  private readonly wire: (Uint8Array | undefined)[];
  private readonly seqs: Float64Array;
  private readonly times: Float64Array;
  private readonly breakFlags: Uint8Array;
  /** The id of the oldest frame held; the newest is `first + size - 1`, and an id's slot is id % capacity. */
  private first = 0;
  private count = 0;
  private newest: Frame | undefined;
  private pinnedId: number | undefined;
  private pinnedFrame: Frame | undefined;
  private readonly decoded = new Map<number, Frame>();
  /** Frames received since the pause. */
  missed = 0;

  constructor(readonly capacity = 300) {
    this.wire = new Array(capacity).fill(undefined);
    this.seqs = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.breakFlags = new Uint8Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get paused(): boolean {
    return this.pinnedId !== undefined;
  }

  /** The id of the oldest frame held. */
  get firstId(): number {
    return this.first;
  }

  /**
   * Adds a frame with its wire text (the feed message it came in; the frame's JSON when absent);
   * `restarted` when it is the first of a new agent process (its seq started again). Returns its id,
   * or undefined when it was dropped as one already held.
   */
  push(frame: Frame, restarted = false, wireText?: string): number | undefined {
    const last = this.count > 0 ? this.slot(this.first + this.count - 1) : -1;
    if (last >= 0 && !restarted && frame.seq <= this.seqs[last]) return undefined;
    const breakBefore = last >= 0 && (restarted || frame.seq !== this.seqs[last] + 1);
    if (this.count === this.capacity) {
      this.decoded.delete(this.first);
      this.first++;
    } else this.count++;
    const id = this.first + this.count - 1;
    const slot = this.slot(id);
    this.wire[slot] = utf8.encode(wireText ?? JSON.stringify(frame));
    this.seqs[slot] = frame.seq;
    this.times[slot] = frame.ts;
    this.breakFlags[slot] = breakBefore ? 1 : 0;
    this.newest = frame;
    if (this.pinnedId !== undefined) this.missed++;
    return id;
  }

  /** The frame on screen: the pinned one while paused (if still held, else the oldest), else the newest. */
  shown(): Frame | undefined {
    if (this.pinnedId === undefined) return this.newest;
    if (this.pinnedId >= this.first) return this.pinnedFrame;
    return this.count > 0 ? this.frameById(this.first) : undefined;
  }

  /** Where the shown frame sits in the ring, for the scrub bar. */
  shownIndex(): number {
    if (this.pinnedId === undefined) return this.count - 1;
    return Math.max(0, this.pinnedId - this.first);
  }

  pause(): void {
    if (this.pinnedId !== undefined || this.count === 0) return;
    this.pin(this.first + this.count - 1);
    this.missed = 0;
  }

  resume(): void {
    this.pinnedId = undefined;
    this.pinnedFrame = undefined;
    this.missed = 0;
  }

  /** Pauses on the frame at `index` (clamped to the ring). */
  scrubTo(index: number): void {
    if (this.count === 0) return;
    if (this.pinnedId === undefined) this.missed = 0;
    this.pin(this.first + Math.max(0, Math.min(this.count - 1, Math.round(index))));
  }

  /** Pauses `delta` frames away from the shown one. */
  step(delta: number): void {
    this.scrubTo(this.shownIndex() + delta);
  }

  /**
   * The held frames up to and including the shown one, oldest first, from the first after
   * `afterTs` (ms since the epoch) on: what the charts draw. Frames are decoded only where read.
   */
  upToShown(afterTs = Number.NEGATIVE_INFINITY): readonly HeldFrame[] {
    const end = this.shownIndex();
    let start = end + 1;
    while (start > 0 && this.times[this.slot(this.first + start - 1)] > afterTs) start--;
    const out: HeldFrame[] = [];
    for (let i = start; i <= end && i < this.count; i++) out.push(this.held(this.first + i));
    return out;
  }

  /** Indexes (0…size-1) of frames that begin a new stretch, for the gap marks on the scrub bar. */
  breaks(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) if (this.breakFlags[this.slot(this.first + i)]) out.push(i);
    return out;
  }

  private slot(id: number): number {
    return id % this.capacity;
  }

  private pin(id: number): void {
    this.pinnedFrame = id === this.pinnedId ? this.pinnedFrame : undefined;
    this.pinnedId = id;
    this.pinnedFrame ??= this.frameById(id);
  }

  private held(id: number): HeldFrame {
    const ring = this;
    const slot = this.slot(id);
    return {
      id,
      ts: this.times[slot],
      breakBefore: this.breakFlags[slot] === 1,
      get frame() {
        return ring.frameById(id);
      },
    };
  }

  /** A held frame by id, decoded from its wire form unless it is one of those kept decoded. */
  private frameById(id: number): Frame {
    if (id === this.first + this.count - 1 && this.newest) return this.newest;
    if (id === this.pinnedId && this.pinnedFrame) return this.pinnedFrame;
    let frame = this.decoded.get(id);
    if (frame) return frame;
    frame = frameOfWire(fromUtf8.decode(this.wire[this.slot(id)]));
    this.decoded.set(id, frame);
    if (this.decoded.size > DECODED_KEPT) this.decoded.delete(this.decoded.keys().next().value as number);
    return frame;
  }
}
