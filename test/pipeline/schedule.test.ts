import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/model/frame.js';
import { scheduleTicks, type Ticker } from '../../src/pipeline/live.js';

function fakeTicker(intervalMs: number, tickCostMs: (n: number) => number) {
  const starts: number[] = [];
  let skipped = 0;
  const ticker: Ticker = {
    intervalMs,
    async tick() {
      const n = starts.length;
      starts.push(performance.now());
      await new Promise((r) => setTimeout(r, tickCostMs(n)));
      return { seq: n + 1 } as Frame;
    },
    noteSkippedTick() {
      skipped++;
    },
  };
  return { ticker, starts, skipped: () => skipped };
}

describe('tick scheduler', () => {
  it('aligns ticks to the interval on the monotonic clock', async () => {
    const { ticker, starts } = fakeTicker(100, () => 5);
    for await (const _ of scheduleTicks(ticker, { count: 6 })) {
      // consume
    }
    const offsets = starts.map((t) => t - starts[0]);
    for (let i = 1; i < offsets.length; i++) expect(Math.abs(offsets[i] - i * 100)).toBeLessThan(40);
  });

  it('skips and counts the slots an overrunning tick ran into, never queueing them', async () => {
    // tick 2 takes 2.5 intervals: the slots it overlaps are skipped, the next tick lands on a slot boundary.
    const { ticker, starts, skipped } = fakeTicker(100, (n) => (n === 1 ? 250 : 5));
    for await (const _ of scheduleTicks(ticker, { count: 4 })) {
      // consume
    }
    expect(skipped()).toBe(2);
    const gapAfterSlow = starts[2] - starts[1];
    expect(gapAfterSlow).toBeGreaterThanOrEqual(290);
    expect(gapAfterSlow).toBeLessThan(360);
  });

  it('stops when aborted', async () => {
    const { ticker } = fakeTicker(50, () => 1);
    const controller = new AbortController();
    let n = 0;
    for await (const _ of scheduleTicks(ticker, { signal: controller.signal })) {
      if (++n === 3) controller.abort();
    }
    expect(n).toBe(3);
  });
});
