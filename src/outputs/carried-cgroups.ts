import type { CgroupCounters, CgroupEntry } from '../model/cgroup.js';
import type { Frame } from '../model/frame.js';

/** A cgroup the frame carries, with its cumulative counters when the frame has them. */
export interface CarriedCgroup {
  entry: CgroupEntry;
  counters: CgroupCounters | undefined;
}

/**
 * `Frame.cgroups` paired with `HostCounters.cgroups`, which lists the same cgroups in the same
 * order; a counters row whose id is not its entry's is not used, so a misaligned frame exports
 * fewer values rather than another cgroup's.
 */
export function carriedCgroups(frame: Frame): CarriedCgroup[] {
  const entries = frame.cgroups ?? [];
  const rows = frame.counters?.cgroups;
  const out: CarriedCgroup[] = [];
  for (let i = 0; i < entries.length; i++) {
    const row = rows?.[i];
    out.push({ entry: entries[i], counters: row?.id === entries[i].id ? row : undefined });
  }
  return out;
}
