import type { Dimension, Resource, UseCell } from '../model/frame.js';

export interface GapLine {
  resource: Resource;
  dimension: Dimension;
  /** Instances the gap applies to ("" = host-wide). */
  instances: string[];
  reason: string;
}

/** The matrix's gap cells grouped by resource, dimension and reason. */
export function gapsOf(cells: readonly UseCell[]): GapLine[] {
  const byKey = new Map<string, GapLine>();
  for (const c of cells) {
    if (c.status !== 'gap') continue;
    const reason = c.reason ?? 'not measurable from /proc and /sys';
    const key = `${c.resource}\0${c.dimension}\0${reason}`;
    const line = byKey.get(key);
    if (line === undefined)
      byKey.set(key, { resource: c.resource, dimension: c.dimension, instances: [c.instance], reason });
    else line.instances.push(c.instance);
  }
  return [...byKey.values()];
}
