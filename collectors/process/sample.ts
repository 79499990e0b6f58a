import type { Counter } from '../types.js';
import type { ProcIo } from './io.js';
import { newProcStat, type ProcStat } from './stat.js';

/**
 * One process on one tick: its stat fields (comm decoded as UTF-8, flags folded into `kthread`) plus
 * detail fields, present only when the candidate set included it.
 */
export interface ProcessSample extends Omit<ProcStat, 'flags'> {
  /** `${pid}:${starttime}`: a reused pid gets a new key, so no rate is ever computed across two processes. */
  key: string;
  kthread: boolean;
  /**
   * Run delay (schedstat), a counter for its deltas only: the leader thread's, read for every
   * process; on a host without /proc/schedstat, that of all its threads while it is busy (see
   * threadReadsPerTick), so that the sum over processes stands in for the per-CPU figure.
   */
  runDelayNs?: Counter;
  /** Command line, not sanitised; read once per process lifetime (again after an exec changes comm). */
  cmd?: string;
  uid?: number;
  user?: string;
  /** Set when status was read this tick. */
  vmSwapKiB?: number;
  voluntaryCtxtSwitches?: number;
  nonvoluntaryCtxtSwitches?: number;
  /** Set when io was read this tick (and allowed). */
  io?: ProcIo;
  /** Open fds and soft limit, from the last time they were read (at most fdEveryTicks old for candidates). */
  fds?: number;
  fdLimit?: number;
  /** The id of the workload cgroup the process runs in ("/system.slice/nginx.service"), when it is in one. */
  cgroup?: string;
}

export interface ProcessesSample {
  /** Every process listed this tick, by key. */
  processes: Map<string, ProcessSample>;
  /** Bytes per page, for rssPages. */
  pageSize: number;
  /** How many processes had their detail files (status, io, …) read this tick. */
  detailed: number;
}

/**
 * An empty sample. fillSample writes every field, always in the same order, so that all samples
 * have one object shape whatever is filled in later.
 */
export function newSample(): ProcessSample {
  return fillSample({} as ProcessSample, newProcStat(), '', '', false);
}

/**
 * Overwrites a sample with a process's stat fields of this tick (from its stat, or from its sample
 * of the tick before when it did not run: collector.ts), and clears the detail fields, which are
 * filled in later for candidates. The collector keeps two samples a process and fills them in turn,
 * since the deriver compares a tick's sample with the one before.
 */
export function fillSample(
  into: ProcessSample,
  stat: Omit<ProcStat, 'flags'>,
  key: string,
  comm: string,
  kthread: boolean,
): ProcessSample {
  into.key = key;
  into.pid = stat.pid;
  into.ppid = stat.ppid;
  into.comm = comm;
  into.state = stat.state;
  into.kthread = kthread;
  into.minflt = stat.minflt;
  into.majflt = stat.majflt;
  into.utime = stat.utime;
  into.stime = stat.stime;
  into.numThreads = stat.numThreads;
  into.starttime = stat.starttime;
  into.vsizeBytes = stat.vsizeBytes;
  into.rssPages = stat.rssPages;
  into.processor = stat.processor;
  into.blkioTicks = stat.blkioTicks;
  into.runDelayNs = undefined;
  into.cmd = undefined;
  into.uid = undefined;
  into.user = undefined;
  into.vmSwapKiB = undefined;
  into.voluntaryCtxtSwitches = undefined;
  into.nonvoluntaryCtxtSwitches = undefined;
  into.io = undefined;
  into.fds = undefined;
  into.fdLimit = undefined;
  into.cgroup = undefined;
  return into;
}
