import { describe, expect, it } from 'vitest';
import { FrameRing } from '../../web/frames.js';
import { lastSeconds, seriesOf } from '../../web/series.js';
import { frame } from '../feed/helpers.js';

const T0 = 1_767_225_600_000;
const at = (seq: number) => frame(seq, 1, T0 + seq * 1000);

describe('the frames the page holds', () => {
  it('keeps the newest `capacity` frames and shows the newest while live', () => {
    const ring = new FrameRing(3);
    for (let s = 1; s <= 5; s++) ring.push(at(s));
    expect(ring.size).toBe(3);
    expect(ring.shown()?.seq).toBe(5);
    expect(ring.upToShown().map((h) => h.frame.seq)).toEqual([3, 4, 5]);
  });

  it('drops a frame it already holds (a resume that overlaps)', () => {
    const ring = new FrameRing();
    ring.push(at(1));
    ring.push(at(2));
    ring.push(at(2));
    ring.push(at(1));
    expect(ring.size).toBe(2);
  });

  it('marks where frames are missing and where the agent restarted', () => {
    const ring = new FrameRing();
    ring.push(at(1));
    ring.push(at(2));
    ring.push(at(5));
    ring.push(frame(1, 1, T0 + 9000), true);
    ring.push(frame(2, 1, T0 + 10_000));
    expect(ring.upToShown().map((h) => h.breakBefore)).toEqual([false, false, true, true, false]);
    expect(ring.breaks()).toEqual([2, 3]);
  });

  it('paused, stays on its frame while frames keep arriving, and counts them', () => {
    const ring = new FrameRing(4);
    for (let s = 1; s <= 3; s++) ring.push(at(s));
    ring.pause();
    ring.push(at(4));
    ring.push(at(5));
    expect(ring.shown()?.seq).toBe(3);
    expect(ring.missed).toBe(2);
    expect(ring.upToShown().map((h) => h.frame.seq)).toEqual([2, 3]);
    ring.resume();
    expect(ring.shown()?.seq).toBe(5);
    expect(ring.missed).toBe(0);
  });

  it('scrubs and steps within the ring, clamped at both ends, and pauses there', () => {
    const ring = new FrameRing();
    for (let s = 1; s <= 10; s++) ring.push(at(s));
    ring.step(-3);
    expect(ring.paused).toBe(true);
    expect(ring.shown()?.seq).toBe(7);
    ring.step(-100);
    expect(ring.shown()?.seq).toBe(1);
    ring.scrubTo(1e9);
    expect(ring.shown()?.seq).toBe(10);
    ring.scrubTo(4);
    expect(ring.shownIndex()).toBe(4);
  });

  it('shows the oldest frame held once the paused one has left the ring', () => {
    const ring = new FrameRing(2);
    ring.push(at(1));
    ring.pause();
    ring.push(at(2));
    ring.push(at(3));
    expect(ring.shown()?.seq).toBe(2);
  });
});

describe('chart series over the frames held', () => {
  it('breaks the line at a gap and where a value is missing', () => {
    const ring = new FrameRing();
    for (const s of [1, 2, 4]) ring.push(at(s));
    const series = seriesOf(ring.upToShown(), (h) => (h.frame.seq === 2 ? undefined : h.frame.seq * 10));
    expect(series.values).toEqual([10, null, null, 40]);
    expect(series.ts[0]).toBe((T0 + 1000) / 1000);
    expect(series.ts[2]).toBeGreaterThan(series.ts[1]);
    expect(series.ts[2]).toBeLessThan(series.ts[3]);
  });

  it('cuts to the last seconds before the frame shown', () => {
    const ring = new FrameRing();
    for (let s = 1; s <= 100; s++) ring.push(at(s));
    const series = seriesOf(ring.upToShown(), (h) => h.frame.seq);
    const last = lastSeconds(series, (T0 + 100_000) / 1000, 60);
    expect(last.values[0]).toBe(41);
    expect(last.values).toHaveLength(60);
  });
});
