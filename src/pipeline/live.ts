import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Frame, FrameSource } from '../model/frame.js';
import { Engine, type EngineOptions } from './engine.js';
import { InventoryCache } from './inventory.js';

export interface LiveOptions extends EngineOptions {
  signal?: AbortSignal;
  /** Stop after this many frames (check, record --for). */
  count?: number;
  /** Called with each tick's duration overrun, for logging. */
  onSkip?: (skipped: number) => void;
}

/**
 * Runs the engine on a schedule and yields its frames. Ticks are aligned to multiples of the
 * interval on the monotonic clock; a tick that overruns makes the scheduler skip the slots it ran
 * into (counted in self stats), never queue them. The first frame comes at once.
 */
export async function* liveFrames(opts: LiveOptions = {}): FrameSource {
  const inventory = (opts.root ?? '/') === '/' && !opts.inventory ? new InventoryCache() : undefined;
  inventory?.start();
  const engine = new Engine({ ...opts, inventory: opts.inventory ?? (() => inventory?.get()) });
  try {
    yield* scheduleTicks(engine, opts);
  } finally {
    inventory?.stop();
    engine.close();
  }
}

/** What the scheduler drives: the Engine, or a stand-in in tests. */
export interface Ticker {
  readonly intervalMs: number;
  tick(): Promise<Frame>;
  noteSkippedTick(): void;
}

export async function* scheduleTicks(
  engine: Ticker,
  opts: Pick<LiveOptions, 'signal' | 'count' | 'onSkip'>,
): AsyncGenerator<Frame> {
  const interval = engine.intervalMs;
  const start = performance.now();
  let slot = 0;
  let produced = 0;
  while (!opts.signal?.aborted && (opts.count === undefined || produced < opts.count)) {
    const frame = await engine.tick();
    produced++;
    yield frame;
    if (opts.count !== undefined && produced >= opts.count) break;
    const now = performance.now();
    let next = slot + 1;
    const due = Math.floor((now - start) / interval) + 1;
    if (due > next) {
      const skipped = due - next;
      for (let i = 0; i < skipped; i++) engine.noteSkippedTick();
      opts.onSkip?.(skipped);
      next = due;
    }
    slot = next;
    try {
      await sleep(start + slot * interval - performance.now(), undefined, { signal: opts.signal });
    } catch {
      return; // aborted
    }
  }
}
