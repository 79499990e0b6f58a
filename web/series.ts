import type { Frame } from '../src/model/frame.js';
import { cellValues } from '../src/tui/lists.js';
import type { HeldFrame } from './frames.js';

/**
 * One chart's data: seconds since the epoch, and values with null where the cell had none or where
 * frames are missing, so that a line breaks over a gap instead of bridging it.
 */
export interface Series {
  ts: number[];
  values: (number | null)[];
}

/** The values `pick` takes from each held frame, with a null point at every break in the frames. */
export function seriesOf(held: readonly HeldFrame[], pick: (h: HeldFrame) => number | undefined): Series {
  const ts: number[] = [];
  const values: (number | null)[] = [];
  for (const h of held) {
    if (h.breakBefore && ts.length > 0) {
      // A point just after the last one, empty: the line stops there.
      ts.push(ts[ts.length - 1] + 0.001);
      values.push(null);
    }
    ts.push(h.frame.ts / 1000);
    const v = pick(h);
    values.push(v === undefined || !Number.isFinite(v) ? null : v);
  }
  return { ts, values };
}

/** The part of a series within the last `windowS` seconds before `toS`. */
export function lastSeconds(series: Series, toS: number, windowS: number): Series {
  let start = 0;
  while (start < series.ts.length && series.ts[start] <= toS - windowS) start++;
  return { ts: series.ts.slice(start), values: series.values.slice(start) };
}

const cellMaps = new WeakMap<Frame, Map<string, number | undefined>>();

/** A frame's value of one USE cell (key from cellKey), per-CPU cells included; undefined for a gap. */
export function cellValue(frame: Frame, key: string): number | undefined {
  let map = cellMaps.get(frame);
  if (!map) {
    map = new Map(cellValues(frame));
    cellMaps.set(frame, map);
  }
  return map.get(key);
}
