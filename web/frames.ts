import type { Frame } from '../src/model/frame.js';

/** A frame as the page keeps it: `breakBefore` when frames are missing between it and the one before. */
export interface HeldFrame {
  frame: Frame;
  breakBefore: boolean;
}

/**
 * The frames the page holds (the feed's backfill, then live ones), newest last, at most `capacity`:
 * the ring charts and the scrub bar read. Paused, the view stays on one frame while frames keep
 * arriving; scrubbing moves that frame. A frame that does not follow its predecessor (a gap, frames
 * skipped for a slow viewer, an agent restart) starts a new stretch, so no chart joins across it.
 */
export class FrameRing {
  private readonly held: HeldFrame[] = [];
  private pinned: Frame | undefined;
  /** Frames received since the pause. */
  missed = 0;

  constructor(readonly capacity = 300) {}

  get size(): number {
    return this.held.length;
  }

  get paused(): boolean {
    return this.pinned !== undefined;
  }

  /** Adds a frame; `restarted` when it is the first of a new agent process (its seq started again). */
  push(frame: Frame, restarted = false): void {
    const last = this.held.at(-1);
    if (last && !restarted && frame.seq <= last.frame.seq) return;
    const breakBefore = last !== undefined && (restarted || frame.seq !== last.frame.seq + 1);
    this.held.push({ frame, breakBefore });
    if (this.held.length > this.capacity) this.held.shift();
    if (this.pinned) this.missed++;
  }

  /** The frame on screen: the pinned one while paused (if still held, else the oldest), else the newest. */
  shown(): Frame | undefined {
    if (this.pinned === undefined) return this.held.at(-1)?.frame;
    return this.held[this.shownIndex()]?.frame;
  }

  /** Where the shown frame sits in the ring, for the scrub bar. */
  shownIndex(): number {
    if (this.pinned === undefined) return this.held.length - 1;
    const i = this.held.findIndex((h) => h.frame === this.pinned);
    return Math.max(0, i);
  }

  pause(): void {
    if (this.pinned !== undefined) return;
    this.pinned = this.held.at(-1)?.frame;
    this.missed = 0;
  }

  resume(): void {
    this.pinned = undefined;
    this.missed = 0;
  }

  /** Pauses on the frame at `index` (clamped to the ring). */
  scrubTo(index: number): void {
    if (this.held.length === 0) return;
    if (this.pinned === undefined) this.missed = 0;
    this.pinned = this.held[Math.max(0, Math.min(this.held.length - 1, Math.round(index)))].frame;
  }

  /** Pauses `delta` frames away from the shown one. */
  step(delta: number): void {
    this.scrubTo(this.shownIndex() + delta);
  }

  /** The held frames up to and including the shown one, oldest first: what the charts draw. */
  upToShown(): readonly HeldFrame[] {
    return this.held.slice(0, this.shownIndex() + 1);
  }

  /** Indexes (0…size-1) of frames that begin a new stretch, for the gap marks on the scrub bar. */
  breaks(): number[] {
    const out: number[] = [];
    this.held.forEach((h, i) => {
      if (h.breakBefore) out.push(i);
    });
    return out;
  }
}
