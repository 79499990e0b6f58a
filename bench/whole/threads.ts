import { readdirSync, readFileSync } from 'node:fs';
import { USER_HZ } from '../../src/derive/units.js';
import { parseStatTimes } from './proc-stat.js';

/** One thread of a process: its id, name (/proc/<pid>/task/<tid>/comm) and CPU so far in ms. */
export interface ThreadCpu {
  tid: number;
  comm: string;
  cpuMs: number;
}

export type ThreadGroup = 'main' | 'V8 workers (compiler, GC)' | 'libuv pool' | 'other';

/** Thread-pool sizes of the Node process, which name the threads when Node does not (Node < 22). */
export interface NodeThreadLayout {
  /** `--v8-pool-size`; Node's default is 4. */
  v8PoolSize: number;
  /** UV_THREADPOOL_SIZE; libuv's default is 4, the shipped unit sets 8. */
  uvPoolSize: number;
}

function groupByName(comm: string): ThreadGroup {
  if (comm.startsWith('V8 ')) return 'V8 workers (compiler, GC)';
  if (comm.startsWith('libuv-worker')) return 'libuv pool';
  return 'other';
}

/**
 * The group of each thread of a Node process `pid`. Node 22 and later name their threads
 * ("V8 DefaultWorke", "libuv-worker"); Node 20 leaves every thread with the process's name, so
 * the groups then follow the order Node creates them in (ascending tids): the main thread, the V8
 * platform's delayed-task scheduler, its workers, the inspector's signal thread (and, under
 * --cpu-prof, the profiler's "v8:ProfEvntProc"), and last the libuv pool, started at the first
 * asynchronous file operation.
 */
export function classifyThreads(pid: number, threads: ThreadCpu[], layout: NodeThreadLayout): Map<number, ThreadGroup> {
  const groups = new Map<number, ThreadGroup>();
  const main = threads.find((t) => t.tid === pid);
  const named = threads.some((t) => groupByName(t.comm) !== 'other');
  const others = threads.filter((t) => t.tid !== pid).sort((a, b) => a.tid - b.tid);
  if (main !== undefined) groups.set(main.tid, 'main');
  others.forEach((t, i) => {
    if (named) groups.set(t.tid, groupByName(t.comm));
    else if (i >= 1 && i <= layout.v8PoolSize) groups.set(t.tid, 'V8 workers (compiler, GC)');
    else if (i >= others.length - layout.uvPoolSize) groups.set(t.tid, 'libuv pool');
    else groups.set(t.tid, 'other');
  });
  return groups;
}

/** CPU per group between two readings of the same process's threads; a thread born in between counts from zero. */
export function threadBreakdown(
  pid: number,
  before: ThreadCpu[],
  after: ThreadCpu[],
  layout: NodeThreadLayout,
): Map<ThreadGroup, { threads: number; cpuMs: number }> {
  const start = new Map(before.map((t) => [t.tid, t.cpuMs]));
  const groups = classifyThreads(pid, after, layout);
  const out = new Map<ThreadGroup, { threads: number; cpuMs: number }>();
  for (const t of after) {
    const group = groups.get(t.tid) ?? 'other';
    const sum = out.get(group) ?? { threads: 0, cpuMs: 0 };
    sum.threads++;
    sum.cpuMs += t.cpuMs - (start.get(t.tid) ?? 0);
    out.set(group, sum);
  }
  return out;
}

/** Every live thread of `pid` with its CPU so far; threads that end while being read are left out. */
export function readThreads(pid: number): ThreadCpu[] {
  const threads: ThreadCpu[] = [];
  for (const name of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = parseStatTimes(readFileSync(`/proc/${pid}/task/${name}/stat`, 'utf8'));
      const comm = readFileSync(`/proc/${pid}/task/${name}/comm`, 'utf8').trimEnd();
      threads.push({ tid: Number(name), comm, cpuMs: ((stat.utime + stat.stime) / USER_HZ) * 1000 });
    } catch {
      // the thread ended between readdir and read
    }
  }
  return threads;
}
