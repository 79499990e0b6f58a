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
    ts.push(h.ts / 1000);
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

/** A column of numbers by ring slot (id % capacity), NaN where there is no value. */
function column(capacity: number): Float64Array {
  return new Float64Array(capacity).fill(Number.NaN);
}

function present(v: number): number | undefined {
  return Number.isNaN(v) ? undefined : v;
}

/**
 * Every USE cell's value (per-CPU cells included) in each held frame, taken once when the frame
 * arrives, as numbers by ring slot: the sparklines and cell charts read it without decoding a held
 * frame. A cell no held frame has any more is dropped.
 */
export class CellHistory {
  private readonly columns = new Map<string, { values: Float64Array; lastId: number }>();

  constructor(private readonly capacity: number) {}

  /** The cells of the frame held as `id`; `firstId` is the oldest id still held. */
  record(id: number, frame: Frame, firstId: number): void {
    const slot = id % this.capacity;
    for (const [key, v] of cellValues(frame)) {
      let col = this.columns.get(key);
      if (!col) {
        col = { values: column(this.capacity), lastId: id };
        this.columns.set(key, col);
      }
      col.values[slot] = v ?? Number.NaN;
      col.lastId = id;
    }
    for (const [key, col] of this.columns) {
      if (col.lastId === id) continue;
      col.values[slot] = Number.NaN;
      if (col.lastId < firstId) this.columns.delete(key);
    }
  }

  /** A held frame's value of one cell (key from cellKey); undefined for a gap or no value. */
  value(key: string, h: HeldFrame): number | undefined {
    const col = this.columns.get(key);
    return col ? present(col.values[h.id % this.capacity]) : undefined;
  }

  /** How many cells are kept: bounded by the cells of the frames held. */
  get cells(): number {
    return this.columns.size;
  }
}

/**
 * Values several picks take from each held frame, computed once per frame: when a detail opens, for
 * every frame held (each decoded once for all the picks), then for each new frame only.
 */
export class PickedValues {
  private readonly ids: Float64Array;
  private readonly columns: Float64Array[];

  constructor(
    private readonly capacity: number,
    private readonly picks: readonly ((f: Frame) => number | undefined)[],
  ) {
    this.ids = new Float64Array(capacity).fill(-1);
    this.columns = picks.map(() => column(capacity));
  }

  /** Pick `k`'s value in a held frame. */
  value(k: number, h: HeldFrame): number | undefined {
    const slot = h.id % this.capacity;
    if (this.ids[slot] !== h.id) {
      const frame = h.frame;
      for (let i = 0; i < this.picks.length; i++) this.columns[i][slot] = this.picks[i](frame) ?? Number.NaN;
      this.ids[slot] = h.id;
    }
    return present(this.columns[k][slot]);
  }
}
