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
  /** Its threads as last listed, where they are read (ThreadDelayReader). */
  listing?: ThreadListing;
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
 * A process's threads as last listed, with the names of their files made once. A process's threads
 * change only by a thread starting or ending, which moves num_threads in its stat, or by one ending
 * and another starting in between, which the ended one's read tells (ENOENT or ESRCH): so the
 * listing of task/ is reused while num_threads stays and every listed thread is still there.
 */
export interface ThreadListing {
  /** num_threads of the process's stat on the tick it was listed. */
  numThreads: number;
  tids: string[];
  /** `<pid>/task/<tid>`, the key of the thread's kept descriptor. */
  tasks: string[];
  /** `proc/<pid>/task/<tid>/schedstat`. */
  files: string[];
}

/**
 * Ticks a thread's descriptor stays open unread: a process that is busy now and then (a daemon
 * waking every few seconds) keeps its threads' files between its busy ticks rather than opening
 * them again each time, and one that went idle lets them go.
 */
export const THREAD_KEPT_IDLE_TICKS = IDLE_EVERY_TICKS;

/**
 * Reads the threads' schedstat within a budget of reads per tick. The files of the threads read stay
 * open for the next reads: a busy process is read tick after tick, and a pread of a kept descriptor
 * costs about a third of an open, read and close.
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

  /** Closes the files of the threads not read for THREAD_KEPT_IDLE_TICKS: they exited, or their process went idle. */
  endTick(fs: ProcFs): void {
    this.kept.releaseUnreadFor(fs, this.tick, THREAD_KEPT_IDLE_TICKS);
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
   * reads left this tick. The leader's own (tid = pid) is `leaderDelay`, read from proc/<pid>/schedstat
   * on this tick, which is the same file. A thread that exits between the listing and its read is
   * left out. `track.listing` is reused while `numThreads` (the process's stat) stays the same.
   */
  read(
    fs: ProcFs,
    dir: string,
    numThreads: number,
    leaderDelay: Counter,
    track: RunDelayTrack,
    tally: FileTally,
  ): Map<string, number> | undefined {
    const reused = track.listing !== undefined && track.listing.numThreads === numThreads;
    const listing = reused ? track.listing : listThreads(fs, dir, numThreads);
    track.listing = listing;
    if (listing === undefined || !this.affords(listing, dir)) return undefined;
    this.kept.startTick(fs);
    const delays = new Map<string, number>();
    delays.set(dir, Number(leaderDelay));
    if (this.readListed(fs, listing, delays, tally) || !reused) return delays;
    // a listed thread has ended: another may have started, which only a new listing shows
    const relisted = listThreads(fs, dir, numThreads);
    track.listing = relisted;
    if (relisted === undefined) return delays;
    if (!this.affords(relisted, dir, delays)) return undefined;
    this.readListed(fs, relisted, delays, tally);
    return delays;
  }

  /** Whether the reads left this tick cover the listed threads but the leader and those in `read`; takes them. */
  private affords(listing: ThreadListing, dir: string, read?: Map<string, number>): boolean {
    let wanted = 0;
    for (const tid of listing.tids) if (tid !== dir && read?.has(tid) !== true) wanted++;
    if (wanted > this.left) return false;
    this.left -= wanted;
    return true;
  }

  /** Reads the listed threads not in `delays` into it; false when one of them had ended. */
  private readListed(fs: ProcFs, listing: ThreadListing, delays: Map<string, number>, tally: FileTally): boolean {
    let complete = true;
    for (let i = 0; i < listing.tids.length; i++) {
      if (delays.has(listing.tids[i])) continue;
      const task = listing.tasks[i];
      const rel = listing.files[i];
      const keep = this.kept.offers(task);
      const r = readPidFile(fs, rel, keep);
      if (!r.ok) {
        if (r.status === 'failed') tally.failRead(rel, r.reason);
        else if (r.status === 'absent') complete = false;
        continue;
      }
      if (keep) this.kept.markRead(task, this.tick);
      const delay = parseCounted(rel, r.text, parseRunDelay, tally);
      if (delay !== undefined) delays.set(listing.tids[i], Number(delay));
    }
    return complete;
  }
}

/** The threads of proc/<dir>, with their file names; undefined when the process is gone. */
function listThreads(fs: ProcFs, dir: string, numThreads: number): ThreadListing | undefined {
  const r = fs.listDir(`proc/${dir}/task`);
  if (!r.ok) return undefined;
  const tasks = r.names.map((tid) => `${dir}/task/${tid}`);
  return { numThreads, tids: r.names, tasks, files: tasks.map((task) => `proc/${task}/schedstat`) };
}
