import { lines } from '../parse.js';
import { ParseError } from '../types.js';
import { identify, workloadCgroupOf } from './naming.js';

/** A process's cgroups from /proc/<pid>/cgroup: the v2 path ("0::/path") and the v1 paths by controller. */
export interface ProcCgroups {
  v2?: string;
  v1: Map<string, string>;
}

/** Parses /proc/<pid>/cgroup: "0::/path" on v2, "N:controller[,controller…]:/path" per v1 hierarchy. */
export function parseProcCgroup(text: string): ProcCgroups {
  const out: ProcCgroups = { v1: new Map() };
  for (const [i, line] of lines(text).entries()) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) throw new ParseError(`line ${i + 1}: expected "id:controllers:path"`);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (!path.startsWith('/')) throw new ParseError(`line ${i + 1}: path does not start with "/"`);
    if (line.slice(0, first) === '0' && controllers === '') out.v2 = path;
    else for (const c of controllers.split(',')) out.v1.set(c, path);
  }
  return out;
}

/** The v1 controllers whose hierarchies discovery walks, in the order a process's path is taken from. */
const V1_CONTROLLERS = ['pids', 'cpu', 'memory'] as const;

/**
 * The workload cgroup a process belongs to: the nearest workload enclosing its v2 path, else its
 * pids, cpu or memory path. On a hybrid host a runtime driving only the v1 controllers (docker's
 * cgroupfs driver) leaves the container's processes in its shim's service on the unified hierarchy,
 * so a container found on any of these paths wins over a service or scope found on another.
 */
export function workloadOfProcess(cgroups: ProcCgroups): string | undefined {
  let found: string | undefined;
  for (const path of [cgroups.v2, ...V1_CONTROLLERS.map((c) => cgroups.v1.get(c))]) {
    if (path === undefined) continue;
    const id = workloadCgroupOf(path);
    if (id === undefined) continue;
    if (identify(id)?.kind === 'container') return id;
    found ??= id;
  }
  return found;
}

/** /proc/<pid>/cgroup text → the id of the process's workload cgroup (a parser for the per-pid file readers). */
export function parseWorkloadOfProcess(text: string): string | undefined {
  return workloadOfProcess(parseProcCgroup(text));
}
