import type { Collector } from '../collector.js';
import type { ProcFs, SourceLog } from '../procfs.js';
import { UserNames } from '../users.js';
import { CandidateChooser, type Row } from './candidates.js';
import { readWorkloadCgroup } from './cgroup.js';
import { type DetailPace, readDetails } from './details.js';
import { KeptDescriptors, readPidFile } from './kept.js';
import { PageSize } from './page-size.js';
import { summarise } from './report.js';
import {
  advanceRunDelay,
  holdRunDelay,
  IDLE_EVERY_TICKS,
  leaderRunDelayDue,
  readLeaderSchedstat,
  ThreadDelayReader,
} from './run-delay.js';
import { fillSample, newSample, type ProcessesSample, type ProcessSample } from './sample.js';
import type { ProcSchedstat } from './schedstat.js';
import { SchedstatProbe } from './schedstat-probe.js';
import { isKernelThread, newProcStat, type ProcStat, parseProcStatInto } from './stat.js';
import { Tallies } from './tally.js';
import { ProcessTracker, pidFiles, type Tracked } from './tracking.js';
import { utf8 } from './utf8.js';

/**
 * Per-process sampling: who causes the load. /proc/<pid>/stat and schedstat are read for every
 * process that ran (cheap, and they rank CPU, memory, threads, faults and run delay over all of
 * them), and every `idleEveryTicks` for the others; the
 * costlier status, io, cmdline, fd and limits only for a candidate set chosen each tick. The design
 * and its trade-offs are in docs/families/processes.md.
 */

export interface ProcessCollectorOptions {
  /** Candidates taken per measure (CPU, RSS, threads, faults, run delay, io, fds); about 3 × topN. */
  perMeasure?: number;
  /** Further processes whose details are read each tick, in pid order, so that all are looked at in turn. */
  roundRobin?: number;
  /** Fds are counted at most this often per candidate (every tick for the top fd users). */
  fdEveryTicks?: number;
  /** limits are re-read this often per process (prlimit can change them). */
  limitsEveryTicks?: number;
  /**
   * status (owner uid, VmRSS for the page size, VmSwap, context switches) is read when a process is
   * first a candidate and after an exec, then again after 1, 2, 4… ticks, and from then on at most
   * this often: of what it holds only the owner matters per tick, and it changes through setuid,
   * which daemons call soon after they start.
   */
  statusEveryTicks?: number;
  /** Bytes per page; learnt from status VmRSS against stat rss when not given. */
  pageSize?: number;
  /**
   * Processes whose stat, schedstat and io stay open between ticks (three descriptors each); the rest
   * are opened and closed every tick. Also held to a quarter of the agent's soft open-file limit.
   */
  keepOpen?: number;
  /**
   * Upper bound on /proc/<pid>/task/<tid>/schedstat reads per tick. They are made only where the
   * host lacks /proc/schedstat, for multi-threaded processes that used CPU or had threads waiting
   * on the tick before; a process whose threads no longer fit is counted by its leader alone.
   */
  threadReadsPerTick?: number;
  /**
   * What a process that did not run is re-read at least this often, in ticks, staggered by pid: the
   * stat of a single-threaded one (whose schedstat, read every tick, tells whether it ran: readIdle),
   * the schedstat of a multi-threaded one (read on every tick it ran, was runnable or blocked, or
   * its threads waited: run-delay.ts, leaderRunDelayDue). 1 reads both for every process every tick.
   */
  idleEveryTicks?: number;
}

/**
 * A thread's first read is an open, a read and a close (about 12 µs of CPU here, measured; later ones
 * are a pread of a kept descriptor): 1024 a tick bounds the fallback's cost near 12 ms on a host full
 * of busy multi-threaded processes.
 */
const THREAD_READS_PER_TICK = 1024;

export type { ProcessesSample, ProcessSample } from './sample.js';

export function createProcessCollector(options: ProcessCollectorOptions = {}): Collector<ProcessesSample> {
  return new ProcessCollector(options);
}

/** One tick: list proc, read every stat, choose candidates, read their details, assemble the samples. */
class ProcessCollector implements Collector<ProcessesSample> {
  readonly name = 'processes';
  private readonly pace: DetailPace;
  private readonly tracker = new ProcessTracker();
  private readonly kept: KeptDescriptors;
  private readonly chooser: CandidateChooser;
  private readonly schedstat = new SchedstatProbe();
  private readonly threads: ThreadDelayReader;
  private readonly pageSize: PageSize;
  private readonly idleEveryTicks: number;
  /** Every process's stat is parsed into this one object, whose fields are copied out before the next. */
  private readonly stat = newProcStat();
  /** The leader's schedstat, parsed into one object too; `leaderRead` says whether it was read for the process at hand. */
  private readonly leader: ProcSchedstat = { runNs: 0, runDelayNs: 0 };
  private leaderRead = false;
  private users: UserNames | undefined;
  private tick = 0;
  /** Whether any process's io was ever read: "denied for all" then means one process, not a missing privilege. */
  private ioEverAllowed = false;

  constructor(options: ProcessCollectorOptions) {
    this.pace = {
      fdEveryTicks: options.fdEveryTicks ?? 5,
      limitsEveryTicks: options.limitsEveryTicks ?? 60,
      statusEveryTicks: options.statusEveryTicks ?? 30,
    };
    this.kept = new KeptDescriptors(options.keepOpen ?? 2048);
    this.chooser = new CandidateChooser(options.perMeasure ?? 15, options.roundRobin ?? 64);
    this.threads = new ThreadDelayReader(options.threadReadsPerTick ?? THREAD_READS_PER_TICK);
    this.pageSize = new PageSize(options.pageSize);
    this.idleEveryTicks = options.idleEveryTicks ?? IDLE_EVERY_TICKS;
  }

  read(log: SourceLog): ProcessesSample | undefined {
    const fs = log.fs;
    const tick = ++this.tick;
    this.users ??= new UserNames(fs);
    const users = this.users;
    users.nextTick();
    this.kept.startTick(fs);
    const listing = fs.listDir('proc');
    if (!listing.ok) {
      // EMFILE among the causes: what is kept is let go, so that the agent can open files again
      this.kept.releaseAll(fs);
      this.threads.releaseAll(fs);
      log.report('proc', listing.status, listing.reason);
      return undefined;
    }
    this.threads.startTick(this.schedstat.hostHasSchedstat(fs));
    const tallies = new Tallies();
    const rows = this.readStats(fs, listing.names, tallies);
    if (this.schedstat.settle()) for (const row of rows) row.sample.runDelayNs = undefined;
    const candidates = this.chooser.choose(rows);
    readDetails(candidates, { fs, tick, pace: this.pace, kept: this.kept, pageSize: this.pageSize, tallies });
    if (tallies.io.ok > 0) this.ioEverAllowed = true;
    const processes = assemble(rows, users);
    this.tracker.sweep(tick);
    this.kept.releaseUnread(fs, tick);
    this.threads.endTick(fs);
    summarise(log, rows.length, candidates.rows.length, tallies, this.ioEverAllowed);
    if (!this.schedstat.perPid)
      log.report('proc/[pid]/schedstat', 'absent', 'ENOENT (kernel without CONFIG_SCHED_INFO)');
    return { processes, pageSize: this.pageSize.bytes, detailed: candidates.rows.length };
  }

  /** A row for every listed process whose stat could be read, in pid order. */
  private readStats(fs: ProcFs, names: string[], tallies: Tallies): Row[] {
    const rows: Row[] = [];
    let sorted = true;
    let lastPid = -1;
    for (const name of names) {
      const c0 = name.charCodeAt(0);
      if (c0 < 48 || c0 > 57) continue;
      const row = this.readRow(fs, name, tallies);
      if (row === undefined) continue;
      if (sorted && row.sample.pid < lastPid) sorted = false;
      lastPid = row.sample.pid;
      rows.push(row);
    }
    if (!sorted) rows.sort((a, b) => a.sample.pid - b.sample.pid);
    return rows;
  }

  /** stat and schedstat of one process (and its threads' when wanted); undefined when it vanished or stat is bad. */
  private readRow(fs: ProcFs, dir: string, tallies: Tallies): Row | undefined {
    const keep = this.kept.offers(dir);
    this.leaderRead = false;
    // the record of the process last seen with this pid, perhaps an earlier one: the paths are the same
    const known = this.tracker.get(Number(dir));
    const files = known?.files ?? pidFiles(dir);
    const idle = this.readIdle(fs, known, dir, keep, tallies);
    if (idle !== undefined) return idle;
    const stat = this.readStat(fs, files.stat, dir, keep, tallies);
    if (stat === undefined) return undefined;
    const comm = utf8(stat.comm);
    const t = this.tracker.observe(stat, comm, this.tick, files);
    const sample = fillSample(nextSample(t), stat, t.key, comm, isKernelThread(stat));
    if (this.schedstat.perPid && (this.leaderRead || leaderRunDelayDue(t, stat, this.tick, this.idleEveryTicks))) {
      const leader = this.leaderRead ? this.leader : this.readLeader(fs, files.schedstat, keep, tallies);
      if (leader !== undefined && t.runNs !== undefined && leader.runNs !== t.runNs) t.ranSinceDetails = true;
      t.runNs = leader?.runNs;
      // a process first seen counts as busy, so that its threads have a baseline by the next tick
      const busy = t.dCpu > 0 || t.runDelay.threadsWaited || t.firstTick === this.tick;
      const threads = this.threads.wants(sample.numThreads, leader?.runDelayNs, busy)
        ? this.threads.read(fs, dir, sample.numThreads, t.runDelay, tallies.schedstat)
        : undefined;
      advanceRunDelay(t.runDelay, leader?.runDelayNs, threads);
    } else if (this.schedstat.perPid) holdRunDelay(t.runDelay);
    else advanceRunDelay(t.runDelay, undefined, undefined);
    sample.runDelayNs = t.runDelay.counterNs;
    // kernel threads all sit in the root cgroup
    if (t.firstTick === this.tick && !sample.kthread) t.cgroup = readWorkloadCgroup(fs, dir, tallies);
    return rowOf(t, sample, dir);
  }

  /**
   * The row of a single-threaded process that has not run since it was last read, from its
   * schedstat alone: its stat cannot have changed but for what the kernel changes in a sleeping
   * process (RSS, as memory is reclaimed; the parent, when it exits; the state, when it is woken and
   * waits for a CPU), so its stat fields are carried from the tick before, and re-read every
   * `idleEveryTicks` ticks, staggered by pid. Undefined when its stat is to be read; the
   * schedstat, when read, is then left in `leader` for readRow.
   */
  private readIdle(fs: ProcFs, t: Tracked | undefined, dir: string, keep: boolean, tallies: Tallies): Row | undefined {
    if (!this.schedstat.perPid) return undefined;
    const before = t?.samples?.[t.filled];
    if (t === undefined || before === undefined || before.numThreads !== 1 || t.runNs === undefined) return undefined;
    if ((this.tick + before.pid) % this.idleEveryTicks === 0) return undefined;
    const leader = this.readLeader(fs, t.files.schedstat, keep, tallies);
    if (leader === undefined) return undefined; // gone, or a new process with this pid: its stat will tell
    this.leaderRead = true;
    // a process that ran (or a new one given the pid: its CPU time is its own) is read in full
    if (leader.runNs !== t.runNs) return undefined;
    if (keep) this.kept.markRead(dir, this.tick);
    this.tracker.sawIdle(t, this.tick);
    advanceRunDelay(t.runDelay, leader.runDelayNs, undefined);
    const sample = fillSample(nextSample(t), before, t.key, before.comm, before.kthread);
    sample.runDelayNs = t.runDelay.counterNs;
    return rowOf(t, sample, dir);
  }

  private readLeader(fs: ProcFs, rel: string, keep: boolean, tallies: Tallies): ProcSchedstat | undefined {
    return readLeaderSchedstat(fs, rel, keep, this.schedstat, tallies.schedstat, this.leader);
  }

  private readStat(fs: ProcFs, rel: string, dir: string, keep: boolean, tallies: Tallies): ProcStat | undefined {
    const r = readPidFile(fs, rel, keep);
    if (!r.ok) {
      if (r.status === 'denied') tallies.stat.denied++;
      else if (r.status === 'failed') tallies.stat.failRead(rel, r.reason);
      return undefined; // vanished since readdir: normal
    }
    if (keep) this.kept.markRead(dir, this.tick);
    try {
      return parseProcStatInto(r.text, this.stat);
    } catch (err) {
      tallies.stat.fail(rel, err);
      return undefined;
    }
  }
}

/** The sample of a process to fill on this tick: the one not filled on the tick before. */
function nextSample(t: Tracked): ProcessSample {
  t.samples ??= [newSample(), newSample()];
  t.filled ^= 1;
  return t.samples[t.filled];
}

/** The process's row, made once, with this tick's sample. */
function rowOf(t: Tracked, sample: ProcessSample, dir: string): Row {
  t.row ??= { sample, tracked: t, dir, candidate: false };
  t.row.sample = sample;
  t.row.candidate = false;
  return t.row;
}

/** The samples by key, with what is remembered of each process (cmdline, owner, descriptors, cgroup) filled in. */
function assemble(rows: Row[], users: UserNames): Map<string, ProcessSample> {
  const processes = new Map<string, ProcessSample>();
  for (const { sample, tracked: t } of rows) {
    if (t.cmd !== undefined) sample.cmd = t.cmd;
    if (t.uid !== undefined) {
      sample.uid = t.uid;
      sample.user = users.name(t.uid);
    }
    if (t.fds !== undefined) {
      sample.fds = t.fds;
      sample.fdLimit = t.fdLimit;
    }
    if (t.cgroup !== undefined) sample.cgroup = t.cgroup;
    processes.set(sample.key, sample);
  }
  return processes;
}
