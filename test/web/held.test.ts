import { describe, expect, it } from 'vitest';
import { type Frame, serializeFrame } from '../../src/model/frame.js';
import { cellKey } from '../../src/tui/lists.js';
import { FrameRing } from '../../web/frames.js';
import { FeedCursor } from '../../web/resume.js';
import { CellHistory, PickedValues } from '../../web/series.js';
import { frame } from '../feed/helpers.js';

const T0 = 1_767_225_600_000;
const CPU = cellKey('cpu', '', 'utilization');

/** A frame whose cpu utilization cell reads `value` (none when undefined), as the feed sends it. */
function withCpu(seq: number, value: number | undefined): { frame: Frame; wire: string } {
  const f = frame(seq, 2, T0 + seq * 1000);
  f.use = value === undefined ? [] : [{ ...f.use[0], value }];
  const cursor = new FeedCursor();
  cursor.receive(JSON.stringify({ type: 'hello', stream: 's', intervalMs: 1000 }));
  const wire = `{"type":"frame",${serializeFrame(f).slice(1)}`;
  const event = cursor.receive(wire);
  if (event.kind !== 'frame') throw new Error(`not a frame: ${JSON.stringify(event)}`);
  return { frame: event.frame, wire: event.wire };
}

describe('frames held in their wire form', () => {
  it('gives back an older frame decoded from the message it came in, equal to what the feed gave', () => {
    const ring = new FrameRing(5);
    const sent = [1, 2, 3].map((s) => withCpu(s, s / 10));
    for (const { frame: f, wire } of sent) ring.push(f, false, wire);
    ring.scrubTo(0);
    expect(ring.shown()).toEqual(sent[0].frame);
    expect(ring.shown()).not.toBe(sent[0].frame);
    expect(ring.shown()?.processes.map((p) => p.pid)).toEqual([100, 101]);
    ring.resume();
    expect(ring.shown()).toBe(sent[2].frame);
  });

  it('keeps the pinned frame the same object while frames arrive, so a paused page does not redraw', () => {
    const ring = new FrameRing(3);
    for (let s = 1; s <= 3; s++) ring.push(withCpu(s, 0.1).frame);
    ring.step(-1);
    const pinned = ring.shown();
    ring.push(withCpu(4, 0.1).frame);
    expect(ring.shown()).toBe(pinned);
    expect(ring.shown()?.seq).toBe(2);
  });

  it('numbers frames by arrival, past the capacity, and reads times without decoding', () => {
    const ring = new FrameRing(2);
    const ids = [1, 2, 3].map((s) => ring.push(withCpu(s, 0.1).frame));
    expect(ids).toEqual([0, 1, 2]);
    expect(ring.push(withCpu(3, 0.1).frame)).toBeUndefined();
    expect(ring.firstId).toBe(1);
    expect(ring.upToShown().map((h) => [h.id, h.ts])).toEqual([
      [1, T0 + 2000],
      [2, T0 + 3000],
    ]);
  });

  it('lists only the frames after a time, up to the one shown', () => {
    const ring = new FrameRing();
    for (let s = 1; s <= 10; s++) ring.push(withCpu(s, 0.1).frame);
    ring.scrubTo(7);
    expect(ring.upToShown(T0 + 5000).map((h) => h.frame.seq)).toEqual([6, 7, 8]);
  });
});

describe('the cells’ history', () => {
  it('holds each cell’s value by frame, undefined where a frame had none', () => {
    const ring = new FrameRing(4);
    const cells = new CellHistory(ring.capacity);
    for (const [s, v] of [
      [1, 0.1],
      [2, undefined],
      [3, 0.3],
    ] as const) {
      const { frame: f } = withCpu(s, v);
      cells.record(ring.push(f) as number, f, ring.firstId);
    }
    expect(ring.upToShown().map((h) => cells.value(CPU, h))).toEqual([0.1, undefined, 0.3]);
    expect(ring.upToShown().map((h) => cells.value('disk|vda|errors', h))).toEqual([undefined, undefined, undefined]);
  });

  it('forgets a cell once no frame held has it, and never holds a stale value in a reused slot', () => {
    const ring = new FrameRing(2);
    const cells = new CellHistory(ring.capacity);
    const take = (s: number, v: number | undefined) => {
      const { frame: f } = withCpu(s, v);
      cells.record(ring.push(f) as number, f, ring.firstId);
    };
    take(1, 0.5);
    take(2, undefined);
    take(3, undefined);
    expect(ring.upToShown().map((h) => cells.value(CPU, h))).toEqual([undefined, undefined]);
    expect(cells.cells).toBe(0);
  });
});

describe('values picked from the held frames', () => {
  it('decodes each held frame once for all the picks, then only the new ones', () => {
    const ring = new FrameRing(4);
    for (let s = 1; s <= 3; s++) ring.push(withCpu(s, s).frame, false, withCpu(s, s).wire);
    let calls = 0;
    const picked = new PickedValues(ring.capacity, [
      (f) => {
        calls++;
        return f.seq;
      },
      (f) => (f.seq === 2 ? undefined : f.seq * 10),
    ]);
    const read = () => ring.upToShown().map((h) => [picked.value(0, h), picked.value(1, h)]);
    expect(read()).toEqual([
      [1, 10],
      [2, undefined],
      [3, 30],
    ]);
    expect(calls).toBe(3);
    ring.push(withCpu(4, 4).frame);
    ring.push(withCpu(5, 5).frame);
    expect(read().map(([seq]) => seq)).toEqual([2, 3, 4, 5]);
    expect(calls).toBe(5);
  });
});
