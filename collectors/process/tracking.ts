import type { Counter } from '../types.js';
import type { Row } from './candidates.js';
import { newRunDelayTrack, type RunDelayTrack } from './run-delay.js';
import type { ProcessSample } from './sample.js';
import type { ProcStat } from './stat.js';

/**
 * Process identity across ticks. A pid alone is reused by the kernel; with its start time it names
 * one process for its lifetime, so a reused pid starts a new record and no delta spans two processes.
 */
export function processKey(pid: number, starttime: number): string {
  return `${pid}:${starttime}`;
}

/**
 * The paths of the per-pid files read every tick, made once per process: a path made at every read
 * is a new string each time, which the kept descriptors' map then has to flatten and hash.
 */
export interface PidFiles {
  stat: string;
  schedstat: string;
  io: string;
}

export function pidFiles(dir: string): PidFiles {
  return { stat: `proc/${dir}/stat`, schedstat: `proc/${dir}/schedstat`, io: `proc/${dir}/io` };
}

/** What the collector remembers of a process between ticks (for deltas that choose candidates, and caches). */
export interface Tracked {
  /** processKey of the process, made once. */
  key: string;
  files: PidFiles;
  /**
   * Its two samples, filled in turn on the ticks it is seen (the one before is the deriver's
   * previous sample), and its row; made on the first tick it is read (collector.ts).
   */
  samples: [ProcessSample, ProcessSample] | undefined;
  /** The index in `samples` of the one filled on the last tick seen. */
  filled: number;
  row: Row | undefined;
  /** The tick that first saw it and the tick that last did. */
  firstTick: number;
  /** With the pid, what tells this process from a later one given the same pid. */
  starttime: number;
  seenTick: number;
  cpuTicks: number;
  majflt: number;
  /** Increase of utime+stime and of major faults on the last tick seen (0 on the first). */
  dCpu: number;
  dMaj: number;
  runDelay: RunDelayTrack;
  /** The leader's CPU time from schedstat when last read: whether it ran since (collector.ts). */
  runNs?: Counter;
  /**
   * Whether it ran since its details (status, io, fds) were last read, or they never were: the
   * round robin passes over a process that did not, whose details cannot have changed (candidates.ts).
   */
  ranSinceDetails: boolean;
  comm: string;
  cmd?: string;
  uid?: number;
  ioTotal?: number;
  /** Increase of read+write bytes between its last two io reads, per tick: keeps I/O users in the candidate set. */
  ioActivity: number;
  /** From status (the Kthread: line of 6.x kernels); PF_KTHREAD in stat otherwise. */
  kthread?: boolean;
  statusTick: number;
  /** Ticks until status is read again: doubles from 1 after each read, up to statusEveryTicks. */
  statusGap: number;
  fds?: number;
  fdLimit?: number;
  fdTick: number;
  limitsTick: number;
  /** The workload cgroup id, from /proc/<pid>/cgroup read when first seen and after an exec. */
  cgroup?: string;
}

/**
 * The records of the processes seen on the last tick, by pid: a record whose start time differs
 * from the stat's is of an earlier process with the same pid, and is replaced.
 */
export class ProcessTracker {
  private readonly byPid = new Map<number, Tracked>();

  /** Records this tick's stat of a process, creating its record when it is new. */
  observe(stat: ProcStat, comm: string, tick: number, files = pidFiles(String(stat.pid))): Tracked {
    const cpuTicks = stat.utime + stat.stime;
    const t = this.byPid.get(stat.pid);
    if (t === undefined || t.starttime !== stat.starttime) {
      const created: Tracked = {
        key: processKey(stat.pid, stat.starttime),
        files,
        samples: undefined,
        filled: 0,
        row: undefined,
        starttime: stat.starttime,
        firstTick: tick,
        seenTick: tick,
        cpuTicks,
        majflt: stat.majflt,
        dCpu: 0,
        dMaj: 0,
        runDelay: newRunDelayTrack(undefined),
        ranSinceDetails: true,
        comm,
        ioActivity: 0,
        statusTick: Number.NEGATIVE_INFINITY,
        statusGap: 1,
        fdTick: Number.NEGATIVE_INFINITY,
        limitsTick: Number.NEGATIVE_INFINITY,
      };
      this.byPid.set(stat.pid, created);
      return created;
    }
    t.dCpu = cpuTicks - t.cpuTicks;
    if (t.dCpu > 0) t.ranSinceDetails = true;
    t.dMaj = stat.majflt - t.majflt;
    t.seenTick = tick;
    t.cpuTicks = cpuTicks;
    t.majflt = stat.majflt;
    return t;
  }

  /** The record of the process last seen with this pid; it may be of an earlier process than the one there now. */
  get(pid: number): Tracked | undefined {
    return this.byPid.get(pid);
  }

  /** Records that a process was seen on `tick` without running since it was last: no deltas. */
  sawIdle(t: Tracked, tick: number): void {
    t.seenTick = tick;
    t.dCpu = 0;
    t.dMaj = 0;
  }

  /** Forgets the processes not seen on `tick`: they exited. */
  sweep(tick: number): void {
    this.byPid.forEach((t, pid) => {
      if (t.seenTick !== tick) this.byPid.delete(pid);
    });
  }

  get size(): number {
    return this.byPid.size;
  }
}
