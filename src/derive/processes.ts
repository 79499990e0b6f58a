import type { ProcessesSample, ProcessSample } from '../../collectors/process/sample.js';
import type { ProcessEntry } from '../model/frame.js';
import { counterDelta } from './counter.js';
import { setRunDelay } from './cpu.js';
import { type DeriveContext, roundSignificant } from './types.js';

/** Clock ticks per second of utime/stime: USER_HZ, 100 on every Linux ABI. */
export const USER_HZ = 100;

export type ProcessMeasure = 'cpu' | 'memory' | 'io' | 'run_delay' | 'fds' | 'threads' | 'faults';
const MEASURES: readonly ProcessMeasure[] = ['cpu', 'memory', 'io', 'run_delay', 'fds', 'threads', 'faults'];

// ---------------------------------------------------------------------------------------------
// Sanitising: process names and command lines are chosen by whoever started the process, and are
// shown in terminals; an escape sequence in a comm must not be able to clear a screen or set a title.

/**
 * Makes untrusted text safe and single-line for display: drops C0/C1 controls, DEL, ANSI CSI
 * (ESC [ … final), OSC/DCS/APC/PM/SOS strings (ESC ] … BEL or ST) and other escapes, bidi override
 * controls; turns tabs and newlines into spaces; replaces lone surrogates with U+FFFD; trims; and
 * shortens to maxLen code points, the last being '…' when cut.
 */
export function sanitizeText(s: string, maxLen: number): string {
  if (maxLen < 1) return '';
  if (s.length <= maxLen && isPlain(s)) return s;
  const parts: string[] = [];
  let more = false;
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    let ch: string;
    if (c === 0x1b) {
      i = skipEscape(s, i + 1);
      continue;
    }
    if (c === 0x9b) {
      i = skipCsi(s, i + 1);
      continue;
    }
    if (c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) {
      i = skipControlString(s, i + 1);
      continue;
    }
    if (c === 9 || c === 10 || c === 13) {
      ch = ' ';
      i++;
    } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || isBidiControl(c)) {
      i++;
      continue;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        ch = s.slice(i, i + 2);
        i += 2;
      } else {
        ch = '\uFFFD';
        i++;
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      ch = '\uFFFD';
      i++;
    } else {
      ch = s[i];
      i++;
    }
    if (ch === ' ' && parts.length === 0) continue;
    if (parts.length === maxLen) {
      if (ch === ' ') continue;
      more = true;
      break;
    }
    parts.push(ch);
  }
  if (more) parts.length = maxLen - 1;
  while (parts.length > 0 && parts[parts.length - 1] === ' ') parts.pop();
  if (more) parts.push('…');
  return parts.join('');
}

function isPlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return s.length === 0 || (s.charCodeAt(0) !== 32 && s.charCodeAt(s.length - 1) !== 32);
}

function isBidiControl(c: number): boolean {
  return c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/** i is just past ESC; returns the index after the whole sequence (a lone ESC drops only itself). */
function skipEscape(s: string, i: number): number {
  if (i >= s.length) return i;
  const c = s.charCodeAt(i);
  if (c === 0x5b) return skipCsi(s, i + 1); // [
  if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) return skipControlString(s, i + 1); // ] P X ^ _
  if (c >= 0x20 && c <= 0x2f) {
    // intermediates then one final byte, as in ESC ( B
    let j = i + 1;
    while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
    return j < s.length && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x7e ? j + 1 : j;
  }
  if (c >= 0x30 && c <= 0x7e) return i + 1; // two-byte escape such as ESC c (reset)
  return i;
}

/** CSI: parameter and intermediate bytes up to a final byte; stops at anything else (malformed). */
function skipCsi(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c >= 0x40 && c <= 0x7e) return i + 1;
    if (c < 0x20 || c > 0x3f) return i;
    i++;
  }
  return i;
}

/** OSC, DCS, SOS, PM, APC: everything up to BEL, ESC \ or ST; unterminated, the rest of the text. */
function skipControlString(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x07 || c === 0x9c) return i + 1;
    if (c === 0x1b) return s.charCodeAt(i + 1) === 0x5c ? i + 2 : i + 1;
    i++;
  }
  return i;
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

/** Keeps the n best items seen, by insertion into a short sorted array (n is small, the input is not). */
class TopN<T extends Measured> {
  readonly items: T[] = [];

  constructor(
    private readonly n: number,
    private readonly measure: ProcessMeasure,
    private readonly compare: (a: Measured, b: Measured) => number,
  ) {}

  offer(item: T): void {
    if (this.n <= 0 || !ranks(item, this.measure)) return;
    const items = this.items;
    if (items.length === this.n && this.compare(item, items[items.length - 1]) >= 0) return;
    let i = items.length === this.n ? items.length - 1 : items.length;
    while (i > 0 && this.compare(item, items[i - 1]) < 0) {
      items[i] = items[i - 1];
      i--;
    }
    items[i] = item;
  }
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

interface Draft extends Measured {
  sample: ProcessSample;
}

interface RssHistory {
  t: number[];
  rss: number[];
  /** Clock when the process was last in the frame's list; history is dropped a window after. */
  lastListed: number;
}

export function createProcessDeriver(options: ProcessDeriverOptions = {}): ProcessDeriver {
  const nameMaxLen = options.nameMaxLen ?? 32;
  const cmdMaxLen = options.cmdMaxLen ?? 120;
  const userMaxLen = options.userMaxLen ?? 32;
  const window = options.rssWindowSeconds ?? 60;
  const minSpan = options.rssMinSpanSeconds ?? 10;
  const histories = new Map<string, RssHistory>();
  // Seconds since the first derive, from the summed intervals: the time base of the RSS histories.
  let clock = 0;

  return {
    derive(prev, cur, ctx) {
      const dt = ctx.dtSeconds;
      const withRates = prev !== undefined && dt > 0;
      if (dt > 0) clock += dt;
      const n = ctx.config.topN;
      const tops = MEASURES.map((m) => new TopN<Draft>(n, m, compareFor(m)));
      let blocked = 0;
      let zombies = 0;
      let runDelaySum = 0;
      let runDelayKnown = false;
      let maxFdUse: number | undefined;

      for (const p of cur.processes.values()) {
        if (p.state === 'D') blocked++;
        else if (p.state === 'Z') zombies++;
        const before = withRates ? prev.processes.get(p.key) : undefined;
        const draft: Draft = {
          sample: p,
          pid: p.pid,
          state: p.state,
          cpu: 0,
          rssBytes: p.rssPages * cur.pageSize,
          threads: p.numThreads,
          fds: p.fds,
          fdLimit: p.fdLimit,
        };
        if (before !== undefined) {
          draft.cpu = Math.max(0, p.utime + p.stime - before.utime - before.stime) / USER_HZ / dt;
          draft.majorFaultsPs = Math.max(0, p.majflt - before.majflt) / dt;
          const delay = counterDelta(before.runDelayNs, p.runDelayNs);
          if (delay !== undefined) {
            draft.runDelay = delay / 1e9 / dt;
            runDelaySum += draft.runDelay;
            runDelayKnown = true;
          }
          if (before.io !== undefined && p.io !== undefined) {
            const read = counterDelta(before.io.readBytes, p.io.readBytes);
            const written = counterDelta(before.io.writeBytes, p.io.writeBytes);
            const cancelled = counterDelta(before.io.cancelledWriteBytes, p.io.cancelledWriteBytes) ?? 0;
            if (read !== undefined) draft.readBps = read / dt;
            if (written !== undefined) draft.writeBps = Math.max(0, written - cancelled) / dt;
          }
        }
        if (p.fds !== undefined && p.fdLimit) {
          const use = p.fds / p.fdLimit;
          if (maxFdUse === undefined || use > maxFdUse) maxFdUse = use;
        }
        for (const top of tops) top.offer(draft);
      }

      ctx.out.set('tasks.processes', '', cur.processes.size);
      ctx.out.set('tasks.uninterruptible', '', blocked);
      ctx.out.set('tasks.zombies', '', zombies);
      // /proc/schedstat (deriveCpu) counts every task; where the kernel lacks it, the processes' sum stands in
      // (all threads of the busy multi-threaded ones: see the collector).
      if (runDelayKnown && ctx.out.get('cpu.run_delay') === undefined) setRunDelay(ctx.out, runDelaySum);
      ctx.out.set('fd.max_process_utilization', '', maxFdUse);

      const union = new Set<Draft>();
      for (const top of tops) for (const d of top.items) union.add(d);
      updateHistories(cur, union);
      return [...union].sort(compareFor('cpu')).map(toEntry);
    },
  };

  function updateHistories(cur: ProcessesSample, listed: Set<Draft>): void {
    for (const [key, h] of histories) {
      const p = cur.processes.get(key);
      if (p === undefined || clock - h.lastListed > window) {
        histories.delete(key);
        continue;
      }
      h.t.push(clock);
      h.rss.push(p.rssPages * cur.pageSize);
      while (h.t.length > 0 && clock - h.t[0] > window) {
        h.t.shift();
        h.rss.shift();
      }
    }
    for (const d of listed) {
      const h = histories.get(d.sample.key);
      if (h !== undefined) h.lastListed = clock;
      else histories.set(d.sample.key, { t: [clock], rss: [d.rssBytes], lastListed: clock });
    }
  }

  function toEntry(d: Draft): ProcessEntry {
    const p = d.sample;
    const entry: ProcessEntry = {
      pid: p.pid,
      name: sanitizeText(p.comm, nameMaxLen),
      cmd: sanitizeText(p.cmd ?? '', cmdMaxLen),
      user: sanitizeText(p.user ?? (p.uid !== undefined ? String(p.uid) : '?'), userMaxLen),
      state: sanitizeText(p.state, 2),
      cpu: roundSignificant(d.cpu),
      rssBytes: d.rssBytes,
      threads: d.threads,
    };
    // Rates are rounded as metrics are (src/derive/types.ts): digits no counter justifies only cost bytes.
    const growth = slope(histories.get(p.key), minSpan);
    if (growth !== undefined) entry.rssGrowthBps = roundSignificant(growth);
    if (d.readBps !== undefined) entry.readBps = roundSignificant(d.readBps);
    if (d.writeBps !== undefined) entry.writeBps = roundSignificant(d.writeBps);
    if (d.runDelay !== undefined) entry.runDelay = roundSignificant(d.runDelay);
    if (d.majorFaultsPs !== undefined) entry.majorFaultsPs = roundSignificant(d.majorFaultsPs);
    if (d.fds !== undefined) entry.fds = d.fds;
    if (d.fdLimit !== undefined) entry.fdLimit = d.fdLimit;
    return entry;
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
