import { describe, expect, it } from 'vitest';
import type { Series } from '../../web/series.js';
import { sparkRuns } from '../../web/spark.js';

/** A sample a second over the minute up to `toS`, from `value(t)`. */
function minute(toS: number, value: (t: number) => number | null): Series {
  const ts: number[] = [];
  for (let t = toS - 60; t <= toS; t++) ts.push(t);
  return { ts, values: ts.map(value) };
}

const opts = (toS: number) => ({ toS, windowS: 60, fixedMax: 1 });

describe('a sparkline’s picture', () => {
  it('is one run across the canvas for a level held the whole minute, the same as the window slides', () => {
    const now = sparkRuns(
      minute(1000, () => 0.5),
      opts(1000),
    );
    expect(now).toEqual([{ x0: 0, x1: 63, y: 8, from: true }]);
    expect(
      sparkRuns(
        minute(1001, () => 0.5),
        opts(1001),
      ),
    ).toEqual(now);
  });

  it('changes when a value moves the line', () => {
    const flat = sparkRuns(
      minute(1000, () => 0),
      opts(1000),
    );
    const spike = sparkRuns(
      minute(1000, (t) => (t === 1000 ? 0.9 : 0)),
      opts(1000),
    );
    expect(spike).not.toEqual(flat);
    expect(spike.at(-1)).toMatchObject({ x0: 63, x1: 63, from: false });
  });

  it('lifts the pen at a gap, so the gap shows', () => {
    const runs = sparkRuns(
      minute(1000, (t) => (t === 970 ? null : 0.2)),
      opts(1000),
    );
    expect(runs.map((r) => r.from)).toEqual([true, true]);
    expect(runs[0].x1).toBeLessThan(runs[1].x0);
  });

  it('scales to the largest value when the unit has no fixed top', () => {
    const runs = sparkRuns(
      minute(1000, (t) => (t < 1000 ? 5 : 10)),
      { toS: 1000, windowS: 60 },
    );
    expect(runs.map((r) => r.y)).toEqual([8, 1]);
  });
});
