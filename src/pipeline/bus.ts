import type { Frame } from '../model/frame.js';

export type FrameListener = (frame: Frame) => void;

/**
 * In-process fan-out of frames to every output, plus a ring of recent frames so that a view that
 * connects late (a feed client, a resuming client) can be backfilled. A listener that throws is
 * isolated: the others still get the frame.
 */
export class FrameBus {
  private readonly ring: Frame[] = [];
  private readonly listeners = new Set<FrameListener>();

  constructor(
    readonly capacity: number,
    private readonly onListenerError: (err: unknown) => void = () => {},
  ) {
    if (!(capacity >= 1)) throw new Error(`frame ring capacity must be at least 1, got ${capacity}`);
  }

  publish(frame: Frame): void {
    this.ring.push(frame);
    if (this.ring.length > this.capacity) this.ring.shift();
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
    return this.ring[this.ring.length - 1];
  }

  /** Frames still in the ring, oldest first. */
  recent(): readonly Frame[] {
    return this.ring;
  }

  /**
   * Frames after `seq`, for a client resuming. `gap` is true when frames after `seq` have already
   * left the ring, so the client knows it missed some.
   */
  since(seq: number): { frames: Frame[]; gap: boolean } {
    const oldest = this.ring[0];
    const frames = this.ring.filter((f) => f.seq > seq);
    return { frames, gap: oldest !== undefined && oldest.seq > seq + 1 };
  }
}
