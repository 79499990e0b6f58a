import type { ProcFs } from '../procfs.js';
import type { CandidateSet, Row } from './candidates.js';
import { readWorkloadCgroup } from './cgroup.js';
import { parseCmdline } from './cmdline.js';
import { parseProcIo } from './io.js';
import type { KeptDescriptors } from './kept.js';
import { parseMaxOpenFiles } from './limits.js';
import type { PageSize } from './page-size.js';
import { parseProcStatus } from './status.js';
import { readParsed, type Tallies } from './tally.js';
import { utf8 } from './utf8.js';

/** How often each costly file is re-read for a process that stays a candidate (see ProcessCollectorOptions). */
export interface DetailPace {
  fdEveryTicks: number;
  limitsEveryTicks: number;
  statusEveryTicks: number;
}

/** What reading the details of one tick needs besides the candidates. */
export interface DetailContext {
  fs: ProcFs;
  tick: number;
  pace: DetailPace;
  kept: KeptDescriptors;
  pageSize: PageSize;
  tallies: Tallies;
}

/** Reads status, io, cmdline, cgroup, fd and limits of the candidates, each at its own pace, into their records. */
export function readDetails(candidates: CandidateSet, ctx: DetailContext): void {
  for (const row of candidates.rows) {
    const { sample, tracked: t } = row;
    // kworkers rename themselves after the work they run: for kernel threads comm is no sign of exec
    const execd = t.comm !== sample.comm && !sample.kthread;
    refreshStatus(row, execd, ctx);
    if (t.kthread !== undefined) sample.kthread = t.kthread;
    readIo(row, ctx);
    refreshCmdline(row, execd, ctx.fs);
    if (execd) t.cgroup = readWorkloadCgroup(ctx.fs, row.dir, ctx.tallies);
    t.comm = sample.comm;
    refreshFds(row, candidates.fdSticky.has(row), ctx);
    t.ranSinceDetails = false;
  }
}

/**
 * status, when due or after an exec. Daemons drop privileges soon after they start: it is re-read
 * after 1, 2, 4… ticks, then every statusEveryTicks.
 */
function refreshStatus({ sample, tracked: t, dir }: Row, execd: boolean, ctx: DetailContext): void {
  if (!execd && ctx.tick - t.statusTick < t.statusGap) return;
  const status = readParsed(ctx.fs, `proc/${dir}/status`, false, parseProcStatus, ctx.tallies.status);
  if (status !== undefined) {
    ctx.pageSize.learn(sample.rssPages, status.vmRssKiB);
    t.uid = status.uid;
    t.kthread = status.kthread;
    t.statusGap = execd ? 1 : Math.min(t.statusGap * 2, ctx.pace.statusEveryTicks);
    sample.vmSwapKiB = status.vmSwapKiB;
    sample.voluntaryCtxtSwitches = status.voluntaryCtxtSwitches;
    sample.nonvoluntaryCtxtSwitches = status.nonvoluntaryCtxtSwitches;
  }
  t.statusTick = ctx.tick;
}

/** io, every tick a process is a candidate; its increase keeps I/O users among the candidates. */
function readIo({ sample, tracked: t, dir }: Row, ctx: DetailContext): void {
  const io = readParsed(ctx.fs, t.files.io, ctx.kept.holds(dir), parseProcIo, ctx.tallies.io);
  if (io === undefined) return;
  sample.io = io;
  const total = Number(io.readBytes) + Number(io.writeBytes);
  if (t.ioTotal !== undefined) t.ioActivity = Math.max(0, total - t.ioTotal);
  t.ioTotal = total;
}

/** cmdline, once per process lifetime and again after an exec; kernel threads have none. */
function refreshCmdline({ sample, tracked: t, dir }: Row, execd: boolean, fs: ProcFs): void {
  if (sample.kthread) t.cmd = '';
  else if (t.cmd === undefined || execd) {
    const r = fs.readOnce(`proc/${dir}/cmdline`);
    if (r.ok) t.cmd = utf8(parseCmdline(r.text));
  }
}

/** The open descriptors every fdEveryTicks (every tick for the top fd users), and limits every limitsEveryTicks. */
function refreshFds({ sample, tracked: t, dir }: Row, sticky: boolean, ctx: DetailContext): void {
  // kernel threads share init's descriptor table, which holds none: their fd/ is always empty
  if (sample.kthread) {
    t.fds = 0;
    return;
  }
  if (ctx.tick - t.fdTick < ctx.pace.fdEveryTicks && !sticky) return;
  const fds = ctx.fs.countFds(`proc/${dir}/fd`);
  if (fds.ok) {
    ctx.tallies.fd.ok++;
    t.fds = fds.count;
  } else if (fds.status === 'denied') ctx.tallies.fd.denied++;
  t.fdTick = ctx.tick;
  if (t.fds !== undefined && ctx.tick - t.limitsTick >= ctx.pace.limitsEveryTicks) {
    const rel = `proc/${dir}/limits`;
    const r = ctx.fs.readOnce(rel, true);
    if (r.ok) {
      try {
        t.fdLimit = parseMaxOpenFiles(r.text);
      } catch (err) {
        ctx.tallies.limits.fail(rel, err);
      }
    }
    t.limitsTick = ctx.tick;
  }
}
