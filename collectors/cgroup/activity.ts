import type { ProcessesSample } from '../process/sample.js';

/**
 * What the rest of the tick tells the cgroup reader before it reads (read.ts): which workload
 * cgroups had a process at work since the last tick, and which must be read whatever that says.
 */
export interface CgroupActivityHint {
  /**
   * The workload cgroups (ids) where a process ran, began or ended since the last tick, with every
   * cgroup above them; undefined when the process table cannot tell (see processActivity).
   */
  active?: ReadonlySet<string>;
  /** Read on every tick: the cgroups the last frame carried and those with an active finding. */
  watched: ReadonlySet<string>;
}

/**
 * The workload cgroups where a process was at work between two process samples: its CPU time moved,
 * or it appeared or disappeared (a fork, an exec, an exit, an OOM kill all take CPU in the cgroup),
 * each with its ancestors, since a cgroup's CPU usage includes its children's. Undefined without a
 * sample before, or when no process is in a workload cgroup at all: an agent that cannot see the
 * host's processes (another pid namespace) must not take their cgroups for idle.
 *
 * The process table's CPU times are in clock ticks (10 ms): a process that used less since the
 * last sample may not show; read.ts reads the cgroups that were busy on their last read anyway, and
 * every cgroup's CPU file at a slow pace, so that this costs latency, never a lost count.
 */
export function processActivity(
  cur: ProcessesSample | undefined,
  prev: ProcessesSample | undefined,
): Set<string> | undefined {
  if (cur === undefined || prev === undefined) return undefined;
  const active = new Set<string>();
  let inWorkloads = false;
  let matched = 0;
  for (const [key, p] of cur.processes) {
    if (p.cgroup !== undefined) inWorkloads = true;
    const before = prev.processes.get(key);
    if (before !== undefined) matched++;
    if (p.cgroup === undefined) continue;
    if (before === undefined || before.utime !== p.utime || before.stime !== p.stime) withAncestors(active, p.cgroup);
  }
  if (!inWorkloads) return undefined;
  // every process of the sample before is still there: none ended
  if (matched === prev.processes.size) return active;
  for (const [key, p] of prev.processes) {
    if (p.cgroup !== undefined && !cur.processes.has(key)) withAncestors(active, p.cgroup);
  }
  return active;
}

/** Adds a cgroup id and each id above it ("/a/b.service" adds "/a"), stopping at one already there. */
function withAncestors(ids: Set<string>, id: string): void {
  let at = id;
  while (at.length > 1 && !ids.has(at)) {
    ids.add(at);
    at = at.slice(0, at.lastIndexOf('/'));
  }
}
