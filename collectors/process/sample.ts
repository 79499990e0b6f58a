import type { Counter } from '../types.js';
import type { ProcIo } from './io.js';
import { isKernelThread, type ProcStat } from './stat.js';

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

/** The sample of a process from its stat alone; the detail fields are filled in later, for candidates. */
export function sampleOfStat(stat: ProcStat, key: string, comm: string, runDelayNs: number | undefined): ProcessSample {
  return {
    key,
    pid: stat.pid,
    ppid: stat.ppid,
    comm,
    state: stat.state,
    kthread: isKernelThread(stat),
    minflt: stat.minflt,
    majflt: stat.majflt,
    utime: stat.utime,
    stime: stat.stime,
    numThreads: stat.numThreads,
    starttime: stat.starttime,
    vsizeBytes: stat.vsizeBytes,
    rssPages: stat.rssPages,
    processor: stat.processor,
    blkioTicks: stat.blkioTicks,
    runDelayNs,
    // declared up front so that every sample has one object shape, whatever is filled in later
    cmd: undefined,
    uid: undefined,
    user: undefined,
    vmSwapKiB: undefined,
    voluntaryCtxtSwitches: undefined,
    nonvoluntaryCtxtSwitches: undefined,
    io: undefined,
    fds: undefined,
    fdLimit: undefined,
    cgroup: undefined,
  };
}
