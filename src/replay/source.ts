import type { Frame } from '../model/frame.js';
import type { ViewSource } from '../model/source.js';
import { RecordingCursor } from './cursor.js';
import type { ReadLimits, ReplayWarning } from './lines.js';
import { inertWarnings } from './reader.js';

export interface ReplayOptions {
  /** Epoch ms bounds of the replay; seeking stays within them. */
  from?: number;
  to?: number;
  /** 1 = real time, 2 = twice as fast, 0 = as fast as possible (default 1). */
  speed?: number;
  /**
   * At the end of the recording: 'finish' ends the frames (reports, check), 'hold' waits for a
   * seek or close() so that a TUI can go back (default 'finish').
   */
  atEnd?: 'finish' | 'hold';
  /** Called once per distinct problem found in the recording (damage, partial frame, newer schema), sanitised. */
  onWarning?: (warning: ReplayWarning) => void;
  signal?: AbortSignal;
  /** Bounds on what is decoded (READ_LIMITS by default). */
  limits?: ReadLimits;
}

export interface ReplayControl {
  pause(): void;
  resume(): void;
  paused(): boolean;
  /** Moves the playback position by `ms` (negative = back) from the current position. */
  seekBy(ms: number): void;
  /** Moves the playback position to an epoch ms time; the next frame is the first at or after it. */
  seekTo(ts: number): void;
  /** Epoch ms of the last frame delivered (or of the pending seek target). */
  position(): number | undefined;
  speed(): number;
  setSpeed(speed: number): void;
  /** Ends the frames, also when holding at the end. */
  close(): void;
  /** True while playback holds at the end of the recording (or of --to), until a seek. */
  atEnd(): boolean;
  /** Called each time playback reaches the end and holds there. */
  onEnd(listener: () => void): void;
}

export type ReplaySource = ViewSource & {
  kind: 'replay';
  control: ReplayControl;
  /** Every distinct warning so far. */
  warnings: ReplayWarning[];
};

/** A long pause in the recording (the agent was down) is shortened to this many intervals. */
const MAX_GAP_INTERVALS = 2;
const MIN_GAP_MS = 2000;

/**
 * Recorded frames as a view source, paced like the original run (scaled by `speed`) and
 * controllable: pause, resume, seek by an offset or to a time. The frames can be iterated once.
 * Throws only when `path` is not readable at all; damage inside it becomes warnings.
 */
export async function replaySource(path: string, opts: ReplayOptions = {}): Promise<ReplaySource> {
  checkSpeed(opts.speed ?? 1);
  const warnings: ReplayWarning[] = [];
  const seen = new Set<string>();
  const warn = inertWarnings((w: ReplayWarning) => {
    const key = `${w.path}\n${w.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    warnings.push(w);
    opts.onWarning?.(w);
  });
  const cursor = await RecordingCursor.open(path, warn, opts.limits);
  const player = new Player(cursor, opts);
  opts.signal?.addEventListener('abort', () => player.close(), { once: true });
  return {
    kind: 'replay',
    label: path,
    frames: { [Symbol.asyncIterator]: () => player.play() },
    control: player,
    warnings,
  };
}

function checkSpeed(speed: number): void {
  if (!(Number.isFinite(speed) && speed >= 0)) throw new Error(`replay speed must be a number ≥ 0, got ${speed}`);
}

/** What pause, resume, setSpeed and close change; each change wakes the play loop. */
interface Controls {
  paused: boolean;
  closed: boolean;
  pace: number;
}

class Player implements ReplayControl {
  private readonly controls: Controls;
  private seekTarget: number | undefined;
  private current: number | undefined;
  /** A seek made while paused still shows the frame it lands on, so the user sees where they are. */
  private showLanding = false;
  private holding = false;
  private readonly endListeners: (() => void)[] = [];
  private wake: (() => void) | undefined;
  /** A control call since the play loop last looked at the state; a sleep starting now must not wait. */
  private poked = false;
  private readonly from: number;
  private readonly to: number;

  constructor(
    private readonly cursor: RecordingCursor,
    private readonly opts: ReplayOptions,
  ) {
    this.controls = { paused: false, closed: false, pace: opts.speed ?? 1 };
    this.from = opts.from ?? Number.NEGATIVE_INFINITY;
    this.to = opts.to ?? Number.POSITIVE_INFINITY;
    if (opts.from !== undefined) this.seekTarget = opts.from;
  }

  pause(): void {
    this.change({ paused: true });
  }

  resume(): void {
    this.change({ paused: false });
  }

  paused(): boolean {
    return this.controls.paused;
  }

  seekBy(ms: number): void {
    const base = this.seekTarget ?? this.current;
    if (base !== undefined) this.seekTo(base + ms);
  }

  seekTo(ts: number): void {
    if (!Number.isFinite(ts)) return;
    this.seekTarget = Math.min(Math.max(ts, this.from), this.to);
    this.notify();
  }

  position(): number | undefined {
    return this.seekTarget ?? this.current;
  }

  speed(): number {
    return this.controls.pace;
  }

  setSpeed(speed: number): void {
    checkSpeed(speed);
    this.change({ pace: speed });
  }

  close(): void {
    this.change({ closed: true });
  }

  atEnd(): boolean {
    return this.holding;
  }

  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }

  async *play(): AsyncGenerator<Frame> {
    let pending: Frame | undefined;
    let prevTs: number | undefined;
    while (!this.controls.closed) {
      this.poked = false;
      if (this.seekTarget !== undefined) {
        const target = this.seekTarget;
        // A seek clamped to the end of the window lands on its last frame, not on the first after it.
        if (target >= this.to) await this.cursor.seekAtOrBefore(this.to);
        else await this.cursor.seek(target);
        if (this.seekTarget === target) this.seekTarget = undefined;
        this.holding = false;
        pending = undefined;
        prevTs = undefined;
        this.showLanding = true;
        continue;
      }
      if (this.controls.paused && !this.showLanding) {
        await this.sleep(Number.POSITIVE_INFINITY);
        continue;
      }
      pending ??= await this.cursor.next();
      if (pending === undefined || pending.ts > this.to) {
        pending = undefined;
        if (this.opts.atEnd !== 'hold') return;
        if (!this.holding) {
          this.holding = true;
          for (const listener of this.endListeners) listener();
        }
        await this.sleep(Number.POSITIVE_INFINITY);
        continue;
      }
      if (pending.ts < this.from) {
        pending = undefined;
        continue;
      }
      if (prevTs !== undefined && this.controls.pace > 0) {
        const gap = Math.min(pending.ts - prevTs, Math.max(MIN_GAP_MS, MAX_GAP_INTERVALS * pending.intervalMs));
        if (gap > 0 && (await this.sleep(gap / this.controls.pace))) continue;
      }
      const frame = pending;
      pending = undefined;
      prevTs = frame.ts;
      this.current = frame.ts;
      this.showLanding = false;
      yield frame;
    }
  }

  private change(to: Partial<Controls>): void {
    Object.assign(this.controls, to);
    this.notify();
  }

  /** A control call: the play loop, asleep or about to sleep, looks at the state again. */
  private notify(): void {
    this.poked = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits `ms` or until a control call; true when a control call cut the wait short. */
  private sleep(ms: number): Promise<boolean> {
    if (this.poked) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => done(false), ms) : undefined;
      const done = (woken: boolean) => {
        if (timer !== undefined) clearTimeout(timer);
        if (this.wake === wakeUp) this.wake = undefined;
        resolve(woken);
      };
      const wakeUp = () => done(true);
      this.wake = wakeUp;
    });
  }
}
