import { parseWorkloadOfProcess } from '../cgroup/proc-cgroup.js';
import type { ProcFs } from '../procfs.js';
import { readParsed, type Tallies } from './tally.js';

/**
 * The workload cgroup a process runs in, from /proc/<pid>/cgroup. Read once per process lifetime
 * (a reused pid is a new process) and again after an exec, since a process forked into one cgroup
 * is often moved into another before it execs (a login session's scope, a container's cgroup).
 */
export function readWorkloadCgroup(fs: ProcFs, dir: string, tallies: Tallies): string | undefined {
  return readParsed(fs, `proc/${dir}/cgroup`, false, parseWorkloadOfProcess, tallies.cgroup);
}
