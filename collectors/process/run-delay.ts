import type { ProcFs } from '../procfs.js';
import type { Counter } from '../types.js';
import { KeptDescriptors, type KeptLayout, readPidFile } from './kept.js';
import { type ProcSchedstat, parseRunDelay, parseSchedstatInto } from './schedstat.js';
import type { SchedstatProbe } from './schedstat-probe.js';
import { type FileTally, parseCounted } from './tally.js';

/**
 * A process's run delay between ticks. The leader's schedstat is read for every process; on a host
 * without /proc/schedstat the threads of busy multi-threaded processes are read too
 * (task/<tid>/schedstat), so that run delay counts every thread.
 */
export interface RunDelayTrack {
  /** The leader's own schedstat run delay, as last read. */
  leaderNs?: Counter;
  /** The run delay counter given to the sample: the leader's increments, or all threads' while they are read. */
  counterNs?: number;
  /** Each thread's run delay at the last tick that read them all; undefined when that tick did not. */
  threads?: Map<string, number>;
  /** Whether the last tick's increment from the threads was above 0 (threads were waiting). */
  threadsWaited: boolean;
  /** The counter's increase on the last tick. */
  increment: number;
}

export function newRunDelayTrack(leader: Counter | undefined): RunDelayTrack {
  return {
    leaderNs: leader,
    counterNs: leader === undefined ? undefined : Number(leader),
    threads: undefined,
    threadsWaited: false,
    increment: 0,
  };
}

/**
 * Moves a process's run delay counter on by this tick's increment: the sum of each thread's increase
 * when its threads were read on this tick and the one before (a thread not there before was born in
 * between, so all of its delay is new), else the leader's increase.
 */
export function advanceRunDelay(
  t: RunDelayTrack,
  leader: Counter | undefined,
  threads: Map<string, number> | undefined,
): void {
  if (leader === undefined) {
    t.leaderNs = undefined;
    t.counterNs = undefined;
    t.threads = undefined;
    t.threadsWaited = false;
    t.increment = 0;
    return;
  }
  let increment = 0;
  if (threads !== undefined && t.threads !== undefined) {
    for (const [tid, delay] of threads) {
      const before = t.threads.get(tid);
      increment += before === undefined ? delay : Math.max(0, delay - before);
    }
  } else if (t.leaderNs !== undefined) {
    increment = Math.max(0, Number(leader) - Number(t.leaderNs));
  }
  t.threadsWaited = threads !== undefined && increment > 0;
  t.counterNs = t.counterNs === undefined ? Number(leader) : t.counterNs + increment;
  t.leaderNs = leader;
  t.threads = threads;
  t.increment = increment;
}

/**
 * A process's schedstat is re-read at least this often, in ticks, when nothing says it ran or
 * waited: see leaderRunDelayDue.
 */
export const IDLE_EVERY_TICKS = 10;

/**
 * Whether a process's run delay is to be read on this tick. Run delay grows only while a task is
 * runnable and not running, which ends in running: a process whose utime + stime did not move, that
 * is not runnable (R) or blocked (D) when its stat is read and whose threads did not wait on the tick
 * before has, most likely, not waited either. Its schedstat is then left unread, and read at least
 * every `everyTicks` ticks anyway, staggered by pid so that each tick reads its share: run delay is
 * a cumulative counter, so a late read still counts all of it, on the tick it is read. What this
 * can delay is the wait of a process that ran less than one clock tick (10 ms) in between and was
 * asleep when looked at, by at most `everyTicks` − 1 seconds at 1 Hz.
 */
export function leaderRunDelayDue(
  t: { firstTick: number; dCpu: number; runDelay: RunDelayTrack },
  stat: { pid: number; state: string },
  tick: number,
  everyTicks: number,
): boolean {
  return (
    t.firstTick === tick ||
    t.dCpu > 0 ||
    stat.state === 'R' ||
    stat.state === 'D' ||
    t.runDelay.threadsWaited ||
    (tick + stat.pid) % everyTicks === 0
  );
}

/** A tick that did not read the run delay: the counter stays where it was, with no increment. */
export function holdRunDelay(t: RunDelayTrack): void {
  t.increment = 0;
  t.threadsWaited = false;
}

/**
 * The leader's schedstat (its run delay, and the CPU time that tells whether it ran), parsed into
 * `into`; tells the probe whether the file exists.
 */
export function readLeaderSchedstat(
  fs: ProcFs,
  dir: string,
  keep: boolean,
  probe: SchedstatProbe,
  tally: FileTally,
  into: ProcSchedstat,
): ProcSchedstat | undefined {
  const rel = `proc/${dir}/schedstat`;
  const r = readPidFile(fs, rel, keep);
  if (!r.ok) {
    if (r.reason === 'ENOENT') probe.missed();
    else if (r.status === 'denied') tally.denied++;
    return undefined;
  }
  probe.found();
  try {
    parseSchedstatInto(r.text, into);
    tally.ok++;
    return into;
  } catch (err) {
    tally.fail(rel, err);
    return undefined;
  }
}

/** A thread's schedstat, kept open between ticks as a process's own files are (`proc/<pid>/task/<tid>`). */
const THREAD_LAYOUT: KeptLayout = { filesPerDir: 1, paths: (dir) => [`proc/${dir}/schedstat`] };

/**
 * Reads the threads' schedstat within a budget of reads per tick. The files of the threads read on a
 * tick stay open for the next one: a busy process is read tick after tick, and a pread of a kept
 * descriptor costs about a third of an open, read and close.
 */
export class ThreadDelayReader {
  private left = 0;
  private tick = 0;
  private readonly kept: KeptDescriptors;

  constructor(private readonly perTick: number) {
    this.kept = new KeptDescriptors(perTick, THREAD_LAYOUT);
  }

  /** Where the host has /proc/schedstat, no thread is read: it counts every task itself. */
  startTick(hostHasSchedstat: boolean): void {
    this.left = hostHasSchedstat ? 0 : this.perTick;
    this.tick++;
  }

  /** Closes the files of the threads not read on this tick: they exited, or their process is no longer read. */
  endTick(fs: ProcFs): void {
    this.kept.releaseUnread(fs, this.tick);
  }

  releaseAll(fs: ProcFs): void {
    this.kept.releaseAll(fs);
  }

  /** Whether a process's threads are worth reading: several of them, the leader read, and the process busy. */
  wants(numThreads: number, leader: Counter | undefined, busy: boolean): boolean {
    return numThreads > 1 && leader !== undefined && busy && this.left > 0;
  }

  /**
   * Each thread's run delay by tid, or undefined when the process is gone or its threads exceed the
   * reads left this tick. A thread that exits between the listing and its read is left out.
   */
  read(fs: ProcFs, dir: string, tally: FileTally): Map<string, number> | undefined {
    const listing = fs.listDir(`proc/${dir}/task`);
    if (!listing.ok || listing.names.length > this.left) return undefined;
    this.left -= listing.names.length;
    this.kept.startTick(fs);
    const delays = new Map<string, number>();
    for (const tid of listing.names) {
      const task = `${dir}/task/${tid}`;
      const rel = `proc/${task}/schedstat`;
      const keep = this.kept.offers(task);
      const r = readPidFile(fs, rel, keep);
      if (!r.ok) {
        if (r.status === 'failed') tally.failRead(rel, r.reason);
        continue;
      }
      if (keep) this.kept.markRead(task, this.tick);
      const delay = parseCounted(rel, r.text, parseRunDelay, tally);
      if (delay !== undefined) delays.set(tid, Number(delay));
    }
    return delays;
  }
}
