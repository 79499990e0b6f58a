import type { ProcessesSample, ProcessSample } from '../../collectors/process/sample.js';
import { TopK } from '../../collectors/process/top-k.js';
import type { ProcessEntry } from '../model/frame.js';
import { sanitize } from '../text/sanitize.js';
import { counterDelta } from './counter.js';
import { setRunDelay } from './cpu.js';
import { type DeriveContext, type MetricSink, roundSignificant } from './types.js';
import { USER_HZ } from './units.js';

export type ProcessMeasure = 'cpu' | 'memory' | 'io' | 'run_delay' | 'fds' | 'threads' | 'faults';
const MEASURES: readonly ProcessMeasure[] = ['cpu', 'memory', 'io', 'run_delay', 'fds', 'threads', 'faults'];

// ---------------------------------------------------------------------------------------------
// Names: process names and command lines are chosen by whoever started the process, and are shown
// in terminals; an escape sequence in a comm must not be able to clear a screen or set a title.

/**
 * Makes untrusted text safe and single-line for a column: escape sequences are removed and the
 * characters `sanitize` (src/text) marks are dropped instead, but for tabs and line breaks, which
 * become spaces, and lone surrogates, which become U+FFFD; bidi marks are dropped too. The result is
 * trimmed and shortened to maxLen code points, the last being '…' when cut.
 */
export function sanitizeText(s: string, maxLen: number): string {
  if (maxLen < 1) return '';
  if (s.length <= maxLen && isPlain(s)) return s;
  return fitCodePoints(sanitize(s, inName).replace(BIDI_MARKS, ''), maxLen);
}

// The Arabic letter mark and the left-to-right and right-to-left marks: `sanitize` leaves these
// invisible marks alone, a name column drops them (they reorder the neutral characters around them).
const BIDI_MARKS = /[\u061c\u200e\u200f]/g;

/** What an unsafe character becomes in a name: line breaks and tabs a space, a lone surrogate U+FFFD, the rest nothing. */
function inName(unsafe: string): string {
  if (unsafe === '\t' || unsafe === '\n' || unsafe === '\r') return ' ';
  const c = unsafe.charCodeAt(0);
  return c >= 0xd800 && c <= 0xdfff ? '\uFFFD' : '';
}

function isPlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return s.length === 0 || (s.charCodeAt(0) !== 32 && s.charCodeAt(s.length - 1) !== 32);
}

/** Trims spaces and keeps at most maxLen code points, ending in '…' when cut. */
function fitCodePoints(text: string, maxLen: number): string {
  const chars = [...text.replace(EDGE_SPACES, '')];
  if (chars.length <= maxLen) return chars.join('');
  chars.length = maxLen - 1;
  while (chars.length > 0 && chars[chars.length - 1] === ' ') chars.pop();
  chars.push('…');
  return chars.join('');
}

const EDGE_SPACES = /^ +| +$/g;

/**
 * sanitizeText of the command lines of one tick, remembered until the tick after: a listed process
 * shows the same command line tick after tick, and one longer than its limit (most interpreters')
 * would otherwise be spread into an array of its code points every tick. A command line not asked
 * for on a tick is forgotten on the next.
 */
class SanitizedCache {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();

  constructor(private readonly maxLen: number) {}

  of(raw: string): string {
    let clean = this.current.get(raw);
    if (clean === undefined) {
      clean = this.previous.get(raw) ?? sanitizeText(raw, this.maxLen);
      this.current.set(raw, clean);
    }
    return clean;
  }

  /** Starts a tick: what the tick before asked for is kept one more tick, the rest let go. */
  nextTick(): void {
    const older = this.previous;
    this.previous = this.current;
    this.current = older;
    older.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Rankings

/** The per-process values rankings look at: a ProcessEntry before names are sanitised. */
type Measured = Pick<
  ProcessEntry,
  | 'pid'
  | 'state'
  | 'cpu'
  | 'rssBytes'
  | 'readBps'
  | 'writeBps'
  | 'runDelay'
  | 'majorFaultsPs'
  | 'fds'
  | 'fdLimit'
  | 'threads'
>;

function measureValue(e: Measured, measure: ProcessMeasure): number | undefined {
  switch (measure) {
    case 'cpu':
      return e.cpu;
    case 'memory':
      return e.rssBytes;
    case 'io':
      return e.readBps === undefined && e.writeBps === undefined ? undefined : (e.readBps ?? 0) + (e.writeBps ?? 0);
    case 'run_delay':
      return e.runDelay;
    case 'fds':
      // by share of the limit, as the fd finding is: 900 of 1024 matters, 5000 of 1M does not
      return e.fds !== undefined && e.fdLimit ? e.fds / e.fdLimit : undefined;
    case 'threads':
      return e.threads;
    case 'faults':
      return e.majorFaultsPs;
  }
}

/** Whether an entry belongs in a ranking at all: a zero says nothing about who causes the load. */
function ranks(e: Measured, measure: ProcessMeasure): boolean {
  if (measure === 'io' && e.state === 'D') return true;
  const v = measureValue(e, measure);
  return v !== undefined && v > 0;
}

/** Negative when a ranks before b. For io, processes in D state (blocked on I/O) come first. */
function compareFor(measure: ProcessMeasure): (a: Measured, b: Measured) => number {
  return (a, b) => {
    if (measure === 'io') {
      const d = (b.state === 'D' ? 1 : 0) - (a.state === 'D' ? 1 : 0);
      if (d !== 0) return d;
    }
    const diff = (measureValue(b, measure) ?? -1) - (measureValue(a, measure) ?? -1);
    return diff !== 0 ? diff : a.pid - b.pid;
  };
}

/**
 * The top n entries by a drilldown measure ('memory' is RSS, 'fds' the share of the fd limit),
 * leaving out entries for which the measure is zero or unknown.
 */
export function rankProcesses(entries: ProcessEntry[], measure: ProcessMeasure, n: number): ProcessEntry[] {
  return entries
    .filter((e) => ranks(e, measure))
    .sort(compareFor(measure))
    .slice(0, Math.max(0, n));
}

// ---------------------------------------------------------------------------------------------
// Deriver

export interface ProcessDeriverOptions {
  /** Code points kept of a name / command line / user name. */
  nameMaxLen?: number;
  cmdMaxLen?: number;
  userMaxLen?: number;
  /** RSS growth is the least-squares slope over this window. */
  rssWindowSeconds?: number;
  /** No growth is reported before the history spans this long (a slope of two points is noise). */
  rssMinSpanSeconds?: number;
}

export interface ProcessDeriver {
  /**
   * Sets the tasks.*, cpu.run_delay and fd.max_process_utilization metrics and returns the
   * processes for Frame.processes: the union of the top `ctx.config.topN` by each measure.
   */
  derive(prev: ProcessesSample | undefined, cur: ProcessesSample, ctx: DeriveContext): ProcessEntry[];
}

/** A process's measures on this tick, before it is chosen for the frame and its names are sanitised. */
interface Draft extends Measured {
  sample: ProcessSample;
}

/** Code points kept of each name of a listed process, and the command lines made safe lately. */
interface NameLimits {
  name: number;
  cmd: SanitizedCache;
  user: number;
}

export function createProcessDeriver(options: ProcessDeriverOptions = {}): ProcessDeriver {
  const limits: NameLimits = {
    name: options.nameMaxLen ?? 32,
    cmd: new SanitizedCache(options.cmdMaxLen ?? 120),
    user: options.userMaxLen ?? 32,
  };
  const growth = new RssGrowth(options.rssWindowSeconds ?? 60, options.rssMinSpanSeconds ?? 10);
  // One draft per process, made once and refilled every tick: a draft lives only within derive.
  const drafts: Draft[] = [];
  return {
    derive(prev, cur, ctx) {
      const dt = ctx.dtSeconds;
      growth.advance(dt);
      limits.cmd.nextTick();
      const previous = prev !== undefined && dt > 0 ? prev.processes : undefined;
      const tops = MEASURES.map((m) => new TopK<Draft>(ctx.config.topN, compareFor(m)));
      const totals = new TaskTotals();
      let n = 0;
      for (const p of cur.processes.values()) {
        drafts[n] ??= newDraft(p);
        const draft = fillDraft(drafts[n++], p, previous?.get(p.key), cur.pageSize, dt);
        totals.add(draft);
        for (let i = 0; i < MEASURES.length; i++) if (ranks(draft, MEASURES[i])) tops[i].offer(draft);
      }
      totals.publish(ctx.out, cur.processes.size);
      const listed = new Set<Draft>();
      for (const top of tops) for (const d of top.items) listed.add(d);
      growth.update(cur, listed);
      return [...listed].sort(compareFor('cpu')).map((d) => toEntry(d, limits, growth.of(d.sample.key)));
    },
  };
}

/** A draft, filled by fillDraft, which writes every field, always in the same order: one object shape for all. */
function newDraft(sample: ProcessSample): Draft {
  return fillDraft({} as Draft, sample, undefined, 0, 0);
}

/** A process's measures: its size now, and rates against its sample on the tick before (when there is one). */
function fillDraft(
  draft: Draft,
  p: ProcessSample,
  before: ProcessSample | undefined,
  pageSize: number,
  dt: number,
): Draft {
  draft.sample = p;
  draft.pid = p.pid;
  draft.state = p.state;
  draft.cpu = 0;
  draft.rssBytes = p.rssPages * pageSize;
  draft.threads = p.numThreads;
  draft.fds = p.fds;
  draft.fdLimit = p.fdLimit;
  draft.majorFaultsPs = undefined;
  draft.runDelay = undefined;
  draft.readBps = undefined;
  draft.writeBps = undefined;
  if (before === undefined) return draft;
  draft.cpu = Math.max(0, p.utime + p.stime - before.utime - before.stime) / USER_HZ / dt;
  draft.majorFaultsPs = Math.max(0, p.majflt - before.majflt) / dt;
  const delay = counterDelta(before.runDelayNs, p.runDelayNs);
  if (delay !== undefined) draft.runDelay = delay / 1e9 / dt;
  if (before.io !== undefined && p.io !== undefined) {
    const read = counterDelta(before.io.readBytes, p.io.readBytes);
    const written = counterDelta(before.io.writeBytes, p.io.writeBytes);
    const cancelled = counterDelta(before.io.cancelledWriteBytes, p.io.cancelledWriteBytes) ?? 0;
    if (read !== undefined) draft.readBps = read / dt;
    if (written !== undefined) draft.writeBps = Math.max(0, written - cancelled) / dt;
  }
  return draft;
}

/** The host-wide figures summed over every process of a tick. */
class TaskTotals {
  private blocked = 0;
  private zombies = 0;
  private runDelaySum = 0;
  private runDelayKnown = false;
  private maxFdUse: number | undefined;

  add(d: Draft): void {
    if (d.state === 'D') this.blocked++;
    else if (d.state === 'Z') this.zombies++;
    if (d.runDelay !== undefined) {
      this.runDelaySum += d.runDelay;
      this.runDelayKnown = true;
    }
    if (d.fds !== undefined && d.fdLimit) {
      const use = d.fds / d.fdLimit;
      if (this.maxFdUse === undefined || use > this.maxFdUse) this.maxFdUse = use;
    }
  }

  publish(out: MetricSink, processes: number): void {
    out.set('tasks.processes', '', processes);
    out.set('tasks.uninterruptible', '', this.blocked);
    out.set('tasks.zombies', '', this.zombies);
    // /proc/schedstat (deriveCpu) counts every task; where the kernel lacks it, the processes' sum stands in
    // (all threads of the busy multi-threaded ones: see the collector).
    if (this.runDelayKnown && out.get('cpu.run_delay') === undefined) setRunDelay(out, this.runDelaySum);
    out.set('fd.max_process_utilization', '', this.maxFdUse);
  }
}

/** The entry of a listed process: names sanitised and shortened, rates rounded. */
function toEntry(d: Draft, limits: NameLimits, rssGrowthBps: number | undefined): ProcessEntry {
  const p = d.sample;
  const entry: ProcessEntry = {
    pid: p.pid,
    name: sanitizeText(p.comm, limits.name),
    cmd: limits.cmd.of(p.cmd ?? ''),
    user: sanitizeText(p.user ?? (p.uid !== undefined ? String(p.uid) : '?'), limits.user),
    state: sanitizeText(p.state, 2),
    cpu: roundSignificant(d.cpu),
    rssBytes: d.rssBytes,
    threads: d.threads,
  };
  // Rates are rounded as metrics are (src/derive/types.ts): digits no counter justifies only cost bytes.
  if (rssGrowthBps !== undefined) entry.rssGrowthBps = roundSignificant(rssGrowthBps);
  if (d.readBps !== undefined) entry.readBps = roundSignificant(d.readBps);
  if (d.writeBps !== undefined) entry.writeBps = roundSignificant(d.writeBps);
  if (d.runDelay !== undefined) entry.runDelay = roundSignificant(d.runDelay);
  if (d.majorFaultsPs !== undefined) entry.majorFaultsPs = roundSignificant(d.majorFaultsPs);
  if (d.fds !== undefined) entry.fds = d.fds;
  if (d.fdLimit !== undefined) entry.fdLimit = d.fdLimit;
  // a workload cgroup id is printable ASCII by construction (collectors/cgroup/naming.ts): no sanitising
  if (p.cgroup !== undefined) entry.cgroup = p.cgroup;
  return entry;
}

interface RssHistory {
  t: number[];
  rss: number[];
  /** Clock when the process was last in the frame's list; history is dropped a window after. */
  lastListed: number;
}

/**
 * RSS over time of the processes the frame lists (and of those listed within the last window), for
 * their growth: the least-squares slope over the window.
 */
class RssGrowth {
  private readonly histories = new Map<string, RssHistory>();
  /** Seconds since the first derive, from the summed intervals: the time base of the histories. */
  private clock = 0;

  constructor(
    private readonly window: number,
    private readonly minSpan: number,
  ) {}

  advance(dt: number): void {
    if (dt > 0) this.clock += dt;
  }

  /** Adds this tick's RSS to every history still kept, and starts one for each newly listed process. */
  update(cur: ProcessesSample, listed: Set<Draft>): void {
    const clock = this.clock;
    for (const [key, h] of this.histories) {
      const p = cur.processes.get(key);
      if (p === undefined || clock - h.lastListed > this.window) {
        this.histories.delete(key);
        continue;
      }
      h.t.push(clock);
      h.rss.push(p.rssPages * cur.pageSize);
      while (h.t.length > 0 && clock - h.t[0] > this.window) {
        h.t.shift();
        h.rss.shift();
      }
    }
    for (const d of listed) {
      const h = this.histories.get(d.sample.key);
      if (h !== undefined) h.lastListed = clock;
      else this.histories.set(d.sample.key, { t: [clock], rss: [d.rssBytes], lastListed: clock });
    }
  }

  /** Bytes per second, or undefined below 3 samples or the minimum span. */
  of(key: string): number | undefined {
    return slope(this.histories.get(key), this.minSpan);
  }
}

/** Least-squares slope of RSS over time; undefined below 3 samples or the minimum span. */
function slope(h: RssHistory | undefined, minSpan: number): number | undefined {
  if (h === undefined || h.t.length < 3 || h.t[h.t.length - 1] - h.t[0] < minSpan) return undefined;
  const n = h.t.length;
  let st = 0;
  let sr = 0;
  for (let i = 0; i < n; i++) {
    st += h.t[i];
    sr += h.rss[i];
  }
  const mt = st / n;
  const mr = sr / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (h.t[i] - mt) * (h.rss[i] - mr);
    den += (h.t[i] - mt) ** 2;
  }
  return den > 0 ? num / den : undefined;
}
