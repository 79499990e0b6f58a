import type { ProcFs } from '../procfs.js';
import type { Counter } from '../types.js';
import { KeptDescriptors, type KeptLayout, readPidFile } from './kept.js';
import { type ProcSchedstat, parseSchedstatInto } from './schedstat.js';
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
  /** The run delay counter given to the sample: the leader's increments, and its other threads' while they are read. */
  counterNs?: number;
  /** Whether the last tick read the other threads and the counter rose (threads were waiting). */
  threadsWaited: boolean;
  /** The counter's increase on the last tick. */
  increment: number;
  /** Its threads other than the leader as last listed, with what each read last (ThreadDelayReader). */
  listing?: ThreadListing;
}

export function newRunDelayTrack(leader: Counter | undefined): RunDelayTrack {
  return {
    leaderNs: leader,
    counterNs: leader === undefined ? undefined : Number(leader),
    threadsWaited: false,
    increment: 0,
  };
}

/**
 * Moves a process's run delay counter on by this tick's increment: the leader's increase, plus
 * `others`, the increase of its other threads read on this tick (ThreadDelayReader.read), when they
 * were.
 */
export function advanceRunDelay(t: RunDelayTrack, leader: Counter | undefined, others: number | undefined): void {
  if (leader === undefined) {
    t.leaderNs = undefined;
    t.counterNs = undefined;
    t.listing = undefined;
    t.threadsWaited = false;
    t.increment = 0;
    return;
  }
  let increment = others ?? 0;
  if (t.leaderNs !== undefined) increment += Math.max(0, Number(leader) - Number(t.leaderNs));
  t.threadsWaited = others !== undefined && increment > 0;
  t.counterNs = t.counterNs === undefined ? Number(leader) : t.counterNs + increment;
  t.leaderNs = leader;
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
  rel: string,
  keep: boolean,
  probe: SchedstatProbe,
  tally: FileTally,
  into: ProcSchedstat,
): ProcSchedstat | undefined {
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

/** A thread other than the leader, with the names of its files made once and what its last read found. */
export interface ThreadTrack {
  tid: string;
  /** The tid as a number, which staggers the threads' periodic reads. */
  tidNumber: number;
  /** `<pid>/task/<tid>`, the key of the thread's kept descriptor. */
  task: string;
  /** `proc/<pid>/task/<tid>/schedstat`. */
  file: string;
  /** CPU time and run delay at its last read; NaN before the first. */
  runNs: number;
  delayNs: number;
  /** Neither its CPU time nor its run delay moved between its last two reads. */
  quiet: boolean;
  /** The reader's tick that last read it: a thread is read once a tick, also when its process is listed again. */
  readTick: number;
  /** Not in its process's listing before, which was read within the last 10 ticks: it started since. */
  newborn: boolean;
}

/**
 * A process's threads as last listed. Its threads change only by a thread starting or ending, which
 * moves num_threads in its stat, or by one ending and another starting in between, which the ended
 * one's read tells (ENOENT or ESRCH): so the listing of task/ is reused while num_threads stays and
 * every thread read is still there.
 */
export interface ThreadListing {
  /** num_threads of the process's stat on the tick it was listed. */
  numThreads: number;
  threads: ThreadTrack[];
  /** The reader's tick that last read its threads; 0 before the first. */
  readTick: number;
}

/**
 * Whether a thread is read on this tick: one that neither ran nor waited between its last two reads
 * is read every `everyTicks` ticks, staggered by tid, and at once when its last read is that old (its
 * process was idle in between). A thread waits only while runnable, which ends in running, so such a
 * thread has most likely stayed asleep (a Node process's thread pool and compiler threads, most of a
 * day); and run delay is a cumulative counter, so what it waited in between is counted in full on
 * the tick it is read (countThreadRead).
 */
export function threadDue(thread: ThreadTrack, tick: number, everyTicks: number): boolean {
  return !thread.quiet || tick - thread.readTick >= everyTicks || (tick + thread.tidNumber) % everyTicks === 0;
}

/**
 * Records a thread's read and returns what it adds to its process's run delay: its increase since
 * its last read when that was at most `everyTicks` ticks before (`ticksSince`); all of its delay for a
 * thread never read before that is `newborn` (started since its process was last read); nothing
 * otherwise, the read then being its baseline: a process first read, or one whose threads went
 * unread for longer (it was idle), counts from its next read, as an idle process counts its leader
 * alone.
 */
export function countThreadRead(
  thread: ThreadTrack,
  read: { runNs: number; delayNs: number; ticksSince: number; everyTicks: number },
): number {
  const never = Number.isNaN(thread.delayNs);
  const known = !never && read.ticksSince <= read.everyTicks;
  const increase = known ? Math.max(0, read.delayNs - thread.delayNs) : never && thread.newborn ? read.delayNs : 0;
  thread.newborn = false;
  thread.quiet = known && read.runNs === thread.runNs && read.delayNs === thread.delayNs;
  thread.runNs = read.runNs;
  thread.delayNs = read.delayNs;
  return increase;
}

/**
 * Ticks a thread's descriptor stays open unread: a thread read every `IDLE_EVERY_TICKS` ticks (a
 * quiet one, threadDue), or of a process that is busy now and then (a daemon waking every few
 * seconds), keeps its file between reads rather than opening it again each time; one whose process
 * went idle lets it go.
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
  /** One thread's schedstat, parsed in place. */
  private readonly parsed: ProcSchedstat = { runNs: 0, runDelayNs: 0 };

  constructor(
    private readonly perTick: number,
    private readonly everyTicks = IDLE_EVERY_TICKS,
  ) {
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
   * What the threads other than the leader (whose file is proc/<pid>/schedstat, read for the
   * process) waited since they were last read, those due on this tick (threadDue); undefined when
   * the process is gone or they exceed the reads left this tick. A thread that exits between two
   * reads is left out. `track.listing` is reused while `numThreads` (the process's stat) stays.
   */
  read(fs: ProcFs, dir: string, numThreads: number, track: RunDelayTrack, tally: FileTally): number | undefined {
    const before = track.listing;
    const reused = before !== undefined && before.numThreads === numThreads;
    const listing = reused ? before : this.list(fs, dir, numThreads, before);
    track.listing = listing;
    if (listing === undefined || !this.affords(listing)) return undefined;
    this.kept.startTick(fs);
    const read = this.readDue(fs, listing, tally);
    if (read.complete || !reused) return read.increase;
    // a listed thread has ended: another may have started, which only a new listing shows
    const relisted = this.list(fs, dir, numThreads, listing);
    track.listing = relisted;
    if (relisted === undefined || !this.affords(relisted)) return read.increase;
    return read.increase + this.readDue(fs, relisted, tally).increase;
  }

  /**
   * The threads of proc/<dir> but its leader, those of `before` carried with what they last read;
   * the others are newborn when `before` was read within the last `everyTicks` ticks (else they are
   * read first as a baseline, as a process's first listing is). Undefined when the process is gone.
   */
  private list(fs: ProcFs, dir: string, numThreads: number, before: ThreadListing | undefined) {
    const recent = before !== undefined && before.readTick > 0 && this.tick - before.readTick <= this.everyTicks;
    return listThreads(fs, dir, numThreads, before, recent);
  }

  /** Whether the reads left this tick cover the listed threads due and not read yet; takes them. */
  private affords(listing: ThreadListing): boolean {
    let wanted = 0;
    for (const thread of listing.threads) if (this.due(thread)) wanted++;
    if (wanted > this.left) return false;
    this.left -= wanted;
    return true;
  }

  private due(thread: ThreadTrack): boolean {
    return thread.readTick !== this.tick && threadDue(thread, this.tick, this.everyTicks);
  }

  /** Reads the listed threads due; `complete` is false when one of them had ended. */
  private readDue(fs: ProcFs, listing: ThreadListing, tally: FileTally): { increase: number; complete: boolean } {
    let increase = 0;
    let complete = true;
    listing.readTick = this.tick;
    for (const thread of listing.threads) {
      if (!this.due(thread)) continue;
      const ticksSince = this.tick - thread.readTick;
      thread.readTick = this.tick;
      const keep = this.kept.offers(thread.task);
      const r = readPidFile(fs, thread.file, keep);
      if (!r.ok) {
        if (r.status === 'failed') tally.failRead(thread.file, r.reason);
        else if (r.status === 'absent') complete = false;
        continue;
      }
      if (keep) this.kept.markRead(thread.task, this.tick);
      const parsed = parseCounted(thread.file, r.text, (text) => parseSchedstatInto(text, this.parsed), tally);
      if (parsed === undefined) continue;
      const runNs = Number(parsed.runNs);
      const delayNs = Number(parsed.runDelayNs);
      increase += countThreadRead(thread, { runNs, delayNs, ticksSince, everyTicks: this.everyTicks });
    }
    return { increase, complete };
  }
}

function listThreads(
  fs: ProcFs,
  dir: string,
  numThreads: number,
  before: ThreadListing | undefined,
  newborn: boolean,
): ThreadListing | undefined {
  const r = fs.listDir(`proc/${dir}/task`);
  if (!r.ok) return undefined;
  const known = new Map(before?.threads.map((thread) => [thread.tid, thread]));
  const threads: ThreadTrack[] = [];
  for (const tid of r.names) {
    if (tid === dir) continue;
    threads.push(known.get(tid) ?? newThreadTrack(dir, tid, newborn));
  }
  return { numThreads, threads, readTick: before?.readTick ?? 0 };
}

function newThreadTrack(dir: string, tid: string, newborn: boolean): ThreadTrack {
  const task = `${dir}/task/${tid}`;
  return {
    tid,
    tidNumber: Number(tid),
    task,
    file: `proc/${task}/schedstat`,
    runNs: Number.NaN,
    delayNs: Number.NaN,
    quiet: false,
    readTick: 0,
    newborn,
  };
}
