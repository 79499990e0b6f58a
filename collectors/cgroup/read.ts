import { KeptDescriptors, readPidFile } from '../process/kept.js';
import { FileTally } from '../process/tally.js';
import type { ProcFs, SourceLog } from '../procfs.js';
import type { CgroupActivityHint } from './activity.js';
import { type Cadence, CGROUP_QUANTITIES, type CgroupQuantity, type CgroupSource } from './files.js';
import type { CgroupReading, WorkloadCgroup } from './sample.js';

/**
 * Reads workload cgroups into CgroupReadings, tick after tick, at a bounded cost:
 * - where each quantity comes from (the v2 directory, else the v1 controller's) is decided when a
 *   cgroup is first seen, so a tick reads only files known to be there;
 * - the CPU usage file of up to `keepOpen` cgroups, and the other per-tick files of fewer, stay
 *   open and are re-read from offset 0 (the process collector's policy, collectors/process/kept.ts):
 *   usage is read every tick for every cgroup, so its descriptor saves the most;
 * - only CPU usage is read every tick for every cgroup (a syscall costs 4–8 µs of CPU on a
 *   small VM, and 10 files of 1,000 cgroups would be 60 ms a tick): the other files of a cgroup
 *   that used no CPU since the last tick are read every `idleEveryTicks`, event counts and
 *   memory.stat of a busy one every `slowEveryTicks` (the cadences of files.ts). A value not
 *   re-read carries over; counters are cumulative, so a slower read delays an event, never loses it;
 * - not even CPU usage is read, but every `unhintedEveryTicks`, for a cgroup that was idle on its
 *   last read and where the tick's activity hint (activity.ts) saw no process at work, unless the
 *   last frame carried it or it has an active finding: most of a large host's cgroups sleep;
 * - limits (cpu.max, memory.max and .high, pids.max) are read at first sight and then every
 *   `limitsEveryMs`; quantities a cgroup lacked are looked for again at the same pace (a
 *   controller enabled later). Slower reads are spread over the cgroups, so no tick reads them all;
 * - a cgroup whose file answers ENOENT or ENODEV has gone away: its descriptors are closed and it is
 *   left out of the sample, with no report, as the process collector does for an exited process;
 * - a quantity neither hierarchy has (its controller not enabled) is reported once, not per cgroup
 *   or per tick; other failures are counted per file and reported once a tick.
 */
export interface CgroupReaderOptions {
  /** How often a busy cgroup's limits are re-read, ms (10 s); an idle one's six times less often. */
  limitsEveryMs?: number;
  /** Ticks between reads of the `tick` and `slow` files of a cgroup that used no CPU (60). */
  idleEveryTicks?: number;
  /** Ticks between reads of the `slow` files of a cgroup that used CPU (5). */
  slowEveryTicks?: number;
  /** Ticks between reads of the CPU file of an idle cgroup where the activity hint saw no process at work (10). */
  unhintedEveryTicks?: number;
  /** Cgroups whose per-tick files are kept open; also held to a quarter of the open-file limit. */
  keepOpen?: number;
  /** Monotonic milliseconds (tests give their own clock). */
  now?: () => number;
}

/** A source resolved for one cgroup: its files' paths below the root. */
interface PlannedSource {
  source: CgroupSource;
  rels: string[];
  cadence: Cadence;
}

interface CgroupState {
  planned: PlannedSource[];
  /** Quantities neither hierarchy had, looked for again when limits are due. */
  missing: CgroupQuantity[];
  /** The `tick` and `slow` files, kept open while the cgroup is one of those kept. */
  keptPaths: string[];
  /** The CPU usage file(s), kept open while the cgroup is one of those whose usage is kept. */
  usagePaths: string[];
  limitsDue: number;
  /** Spreads the slower reads of cgroups over ticks. */
  slot: number;
  /** The tick that last listed the cgroup. */
  listed: number;
  /** The last reading: what a tick does not re-read carries over from it. */
  previous: CgroupReading;
  /** The activity sources' texts behind `previous`, when all were read and parsed: unchanged means idle. */
  activityTexts?: readonly (string[] | undefined)[];
  /**
   * Busy since its `slow` files were last read, on `slowTick`: they are read once it is idle too,
   * slowEveryTicks after that read at the earliest, so that event counts are never an idle cadence late.
   */
  slowBehind: boolean;
  slowTick: number;
  /** Its CPU usage did not move between its last two reads. */
  idle: boolean;
  /**
   * Its CPU usage is the v2 cpu.stat, which counts the processes whose v2 path is in the cgroup: the
   * activity hint, made from the processes' v2 paths, speaks for it.
   */
  hinted: boolean;
}

/** Files kept open per cgroup at most besides CPU usage (all but the limits): a hybrid host's v2 pressure and 9 v1 files. */
const MOST_KEPT_FILES = 12;
/**
 * The two pools of kept descriptors (CPU usage; the other per-tick files) share the quarter of the
 * open-file limit that kept.ts gives each of its users: each pool counts its files this many times.
 */
const POOLS = 2;
const LIMITS_EVERY_MS = 10_000;
const IDLE_EVERY_TICKS = 60;
/** An idle cgroup's limits are re-read this many times less often than a busy one's. */
const IDLE_LIMITS_FACTOR = 6;
const SLOW_EVERY_TICKS = 5;
const UNHINTED_EVERY_TICKS = 10;
/** First re-reads of limits are spread over this many slices of limitsEveryMs. */
const LIMIT_SLICES = 10;

type Outcome = 'read' | 'gone' | 'unreadable';

export class CgroupReader {
  private readonly states = new Map<string, CgroupState>();
  private readonly kept: KeptDescriptors;
  private readonly usageKept: KeptDescriptors;
  private readonly limitsEveryMs: number;
  private readonly idleEveryTicks: number;
  private readonly slowEveryTicks: number;
  private readonly unhintedEveryTicks: number;
  private readonly now: () => number;
  private readonly reportedMissing = new Set<string>();
  private tallies = new Map<string, FileTally>();
  private tick = 0;
  private firstSights = 0;
  private hint: CgroupActivityHint | undefined;

  constructor(options: CgroupReaderOptions = {}) {
    this.limitsEveryMs = options.limitsEveryMs ?? LIMITS_EVERY_MS;
    this.idleEveryTicks = options.idleEveryTicks ?? IDLE_EVERY_TICKS;
    this.slowEveryTicks = options.slowEveryTicks ?? SLOW_EVERY_TICKS;
    this.unhintedEveryTicks = options.unhintedEveryTicks ?? UNHINTED_EVERY_TICKS;
    this.now = options.now ?? (() => performance.now());
    this.kept = new KeptDescriptors(options.keepOpen ?? 1000, {
      filesPerDir: MOST_KEPT_FILES * POOLS,
      paths: (id) => this.states.get(id)?.keptPaths ?? [],
    });
    this.usageKept = new KeptDescriptors(options.keepOpen ?? 1000, {
      filesPerDir: POOLS,
      paths: (id) => this.states.get(id)?.usagePaths ?? [],
    });
  }

  /** `hint`: what the tick's other collectors tell of the cgroups' activity; without one every cgroup is read. */
  startTick(fs: ProcFs, hint?: CgroupActivityHint): void {
    this.tick++;
    this.hint = hint;
    this.tallies = new Map();
    this.kept.startTick(fs);
    this.usageKept.startTick(fs);
  }

  /**
   * One cgroup's reading on this tick; undefined when it has gone away (or has no file to read).
   * An idle cgroup whose CPU files read as on the last tick, with nothing else due, gives back its
   * last reading itself, unparsed, and so does a sleeping one without reading at all: most of a
   * large host's cgroups are idle on most ticks.
   */
  read(log: SourceLog, cg: WorkloadCgroup): CgroupReading | undefined {
    const state = this.states.get(cg.identity.id);
    if (state === undefined) return this.firstSight(log, cg);
    state.listed = this.tick;
    if (this.sleeps(state, cg)) {
      // a re-walk of the hierarchy gives each cgroup a new identity, perhaps with a name found since
      if (cg.identity !== state.previous.identity) state.previous = { ...state.previous, identity: cg.identity };
      return state.previous;
    }
    const keep = this.kept.offers(cg.identity.id);
    const keepUsage = this.usageKept.offers(cg.identity.id);
    const texts = this.readActivity(log.fs, state, keepUsage);
    if (texts === 'gone') return this.forget(log.fs, cg.identity.id);
    const previous = state.previous;
    const quiet =
      cg.identity === previous.identity && previous.cpuUsageUsec !== undefined && sameTexts(texts, state.activityTexts);
    const now = this.now();
    if (quiet && !state.slowBehind && !this.limitsDue(state, now, false) && !this.idleDue(state)) {
      this.markKept(cg.identity.id, keep, keepUsage);
      state.idle = true;
      return previous;
    }
    const reading: CgroupReading = { ...previous, identity: cg.identity };
    if (!quiet) this.applyActivity(state, texts, reading);
    const usage = reading.cpuUsageUsec;
    // a cgroup without CPU usage counts as busy: nothing tells that it is idle
    const busy = usage === undefined || usage !== previous.cpuUsageUsec;
    const limitsRead = this.limitsDue(state, now, busy);
    const slowRead = this.due('slow', state.slot, busy, limitsRead) || this.slowCatchUp(state, busy);
    const due = (c: Cadence) =>
      c === 'slow' ? slowRead : c !== 'activity' && this.due(c, state.slot, busy, limitsRead);
    if (!this.readPlanned(log.fs, state, reading, keep, due)) return this.forget(log.fs, cg.identity.id);
    if (slowRead) state.slowTick = this.tick;
    state.slowBehind = (busy || state.slowBehind) && !slowRead;
    if (limitsRead) {
      state.limitsDue = now + this.limitsEveryMs;
      if (state.missing.length > 0) this.lookAgain(log, cg, state, reading);
    }
    this.markKept(cg.identity.id, keep, keepUsage);
    state.previous = reading;
    state.idle = !busy;
    return reading;
  }

  /** Whether an idle cgroup's `slow` files are read for the ticks it was busy without reading them. */
  private slowCatchUp(state: CgroupState, busy: boolean): boolean {
    return !busy && state.slowBehind && this.tick - state.slowTick >= this.slowEveryTicks;
  }

  /**
   * Whether a cgroup is left unread on this tick: idle on its last read, with no process at work in
   * it by the activity hint, neither carried nor with a finding, and none of its reads due.
   */
  private sleeps(state: CgroupState, cg: WorkloadCgroup): boolean {
    const hint = this.hint;
    if (hint?.active === undefined || !state.idle || state.slowBehind || !state.hinted) return false;
    const id = cg.identity.id;
    if (hint.active.has(id) || hint.watched.has(id)) return false;
    return (
      (this.tick + state.slot) % this.unhintedEveryTicks !== 0 &&
      !this.idleDue(state) &&
      !this.limitsDue(state, this.now(), false)
    );
  }

  /**
   * The texts of the `activity` sources' files, one entry per source in plan order, read through the
   * usage pool's descriptors (undefined for one that could not be read: tallied); 'gone' when the
   * cgroup has gone away.
   */
  private readActivity(fs: ProcFs, state: CgroupState, keepUsage: boolean): (string[] | undefined)[] | 'gone' {
    const texts: (string[] | undefined)[] = [];
    for (const p of state.planned) {
      if (p.cadence !== 'activity') continue;
      const r = this.readTexts(fs, p, keepUsage);
      if (r === 'gone') return 'gone';
      texts.push(r === 'unreadable' ? undefined : r);
    }
    return texts;
  }

  /**
   * Parses the activity texts into the reading (the fields of a source not read are cleared) and
   * keeps them to compare with the next tick's when every one was read and parsed.
   */
  private applyActivity(state: CgroupState, texts: readonly (string[] | undefined)[], reading: CgroupReading): void {
    let whole = true;
    let i = 0;
    for (const p of state.planned) {
      if (p.cadence !== 'activity') continue;
      const text = texts[i++];
      if (text === undefined) clear(reading, p.source);
      if (text === undefined || this.apply(p, text, reading) === 'unreadable') whole = false;
    }
    state.activityTexts = whole ? texts : undefined;
  }

  /** Whether the limits are due: every limitsEveryMs while busy, IDLE_LIMITS_FACTOR times less often while idle. */
  private limitsDue(state: CgroupState, now: number, busy: boolean): boolean {
    return now >= state.limitsDue + (busy ? 0 : this.limitsEveryMs * (IDLE_LIMITS_FACTOR - 1));
  }

  /** Whether an idle cgroup's `tick` and `slow` sources are due on this tick. */
  private idleDue(state: CgroupState): boolean {
    return (this.tick + state.slot) % this.idleEveryTicks === 0;
  }

  /** Reads the planned sources whose cadence is due; false when the cgroup has gone away. */
  private readPlanned(
    fs: ProcFs,
    state: CgroupState,
    reading: CgroupReading,
    keep: boolean,
    due: (cadence: Cadence) => boolean,
  ): boolean {
    for (const p of state.planned) {
      if (due(p.cadence) && this.readSource(fs, p, keep && p.cadence !== 'limits', reading) === 'gone') return false;
    }
    return true;
  }

  /** Whether a `tick`, `slow` or `limits` source is read on this tick. */
  private due(cadence: Cadence, slot: number, busy: boolean, limitsDue: boolean): boolean {
    if (cadence === 'limits') return limitsDue;
    const every = !busy ? this.idleEveryTicks : cadence === 'slow' ? this.slowEveryTicks : 1;
    return (this.tick + slot) % every === 0;
  }

  /** Closes the descriptors of cgroups no longer listed, and reports the tick's failures, one per file. */
  endTick(log: SourceLog): void {
    for (const [id, state] of this.states) if (state.listed !== this.tick) this.forget(log.fs, id);
    for (const [file, tally] of this.tallies) {
      const source = `sys/fs/cgroup/[cgroup]/${file}`;
      if (tally.failed > 0) log.report(source, 'failed', `${tally.failed} unreadable, first: ${tally.firstFailure}`);
      if (tally.denied > 0) log.report(source, 'denied', `denied for ${tally.denied} cgroups`);
    }
  }

  /** Resolves where each quantity comes from, reading it on the way. */
  private firstSight(log: SourceLog, cg: WorkloadCgroup): CgroupReading | undefined {
    const reading: CgroupReading = { identity: cg.identity };
    const keep = this.kept.offers(cg.identity.id);
    const keepUsage = this.usageKept.offers(cg.identity.id);
    const planned: PlannedSource[] = [];
    const missing: { quantity: CgroupQuantity; tried?: string }[] = [];
    for (const quantity of CGROUP_QUANTITIES) {
      if (quantity.coveredBy !== undefined && reading[quantity.coveredBy] !== undefined) continue;
      const found = this.resolve(log.fs, cg, quantity, quantity.cadence === 'activity' ? keepUsage : keep, reading);
      if ('source' in found) planned.push(found);
      // the first file looked for is not there: the cgroup went away since discovery listed it
      else if (planned.length === 0 && found.tried !== undefined) return undefined;
      else missing.push({ quantity, tried: found.tried });
    }
    if (planned.length === 0) return undefined;
    for (const m of missing) this.reportMissing(log, cg, m.quantity, m.tried);
    const pathsOf = (cadences: Cadence[]) => planned.filter((p) => cadences.includes(p.cadence)).flatMap((p) => p.rels);
    const slot = this.firstSights++;
    const slice = slot % LIMIT_SLICES;
    this.states.set(cg.identity.id, {
      planned,
      missing: missing.map((m) => m.quantity),
      keptPaths: pathsOf(['tick', 'slow']),
      usagePaths: pathsOf(['activity']),
      limitsDue: this.now() + this.limitsEveryMs * (1 + slice / LIMIT_SLICES),
      slot,
      listed: this.tick,
      previous: reading,
      idle: false,
      slowBehind: false,
      slowTick: this.tick,
      hinted: planned[0].source === CGROUP_QUANTITIES[0].v2,
    });
    this.markKept(cg.identity.id, keep, keepUsage);
    return reading;
  }

  /** Looks for the quantities a cgroup lacked: a controller may have been enabled since. */
  private lookAgain(log: SourceLog, cg: WorkloadCgroup, state: CgroupState, reading: CgroupReading): void {
    const still: CgroupQuantity[] = [];
    for (const quantity of state.missing) {
      const found = this.resolve(log.fs, cg, quantity, false, reading);
      if ('source' in found) state.planned.push(found);
      else still.push(quantity);
    }
    state.missing = still;
  }

  /**
   * The first of the quantity's sources (v2, then v1) whose directory is known and whose files are
   * there, read into `reading`; else the first path tried, if any.
   */
  private resolve(
    fs: ProcFs,
    cg: WorkloadCgroup,
    quantity: CgroupQuantity,
    keep: boolean,
    reading: CgroupReading,
  ): PlannedSource | { tried?: string } {
    let tried: string | undefined;
    for (const source of [quantity.v2, quantity.v1]) {
      const dir = source === undefined ? undefined : source.controller ? cg.v1Dirs[source.controller] : cg.v2Dir;
      if (source === undefined || dir === undefined) continue;
      const planned = { source, rels: source.files.map((f) => `${dir}/${f}`), cadence: quantity.cadence };
      if (this.readSource(fs, planned, keep && quantity.cadence !== 'limits', reading) !== 'gone') return planned;
      tried ??= planned.rels[0];
    }
    return { tried };
  }

  /** Reads a source's files and applies them; fields of what cannot be read or parsed are cleared. */
  private readSource(fs: ProcFs, p: PlannedSource, keep: boolean, reading: CgroupReading): Outcome {
    const texts = this.readTexts(fs, p, keep);
    if (texts === 'gone') return 'gone';
    if (texts === 'unreadable') {
      clear(reading, p.source);
      return 'unreadable';
    }
    return this.apply(p, texts, reading);
  }

  /** The texts of a source's files; 'unreadable' (tallied) when one is denied or fails. */
  private readTexts(fs: ProcFs, p: PlannedSource, keep: boolean): string[] | Exclude<Outcome, 'read'> {
    const texts: string[] = [];
    for (const rel of p.rels) {
      const r = readPidFile(fs, rel, keep);
      if (r.ok) {
        texts.push(r.text);
        continue;
      }
      if (r.status === 'absent' || r.reason === 'ENODEV') return 'gone';
      const tally = this.tally(p.source.files[0]);
      if (r.status === 'denied') tally.denied++;
      else tally.failRead(rel, r.reason);
      return 'unreadable';
    }
    return texts;
  }

  /** Parses a source's texts into the reading; a parse failure is tallied and clears its fields. */
  private apply(p: PlannedSource, texts: readonly string[], reading: CgroupReading): Outcome {
    try {
      p.source.apply(texts, reading);
      return 'read';
    } catch (err) {
      this.tally(p.source.files[0]).fail(p.rels[0], err);
      clear(reading, p.source);
      return 'unreadable';
    }
  }

  private tally(file: string): FileTally {
    let t = this.tallies.get(file);
    if (t === undefined) {
      t = new FileTally();
      this.tallies.set(file, t);
    }
    return t;
  }

  /** A quantity neither hierarchy has for a cgroup: reported for the first such cgroup only. */
  private reportMissing(log: SourceLog, cg: WorkloadCgroup, q: CgroupQuantity, tried: string | undefined): void {
    if (this.reportedMissing.has(q.what)) return;
    this.reportedMissing.add(q.what);
    const where = tried === undefined ? 'no v2 or v1 directory for its controller' : 'ENOENT';
    log.report(
      tried ?? `sys/fs/cgroup/[cgroup]${cg.identity.id}`,
      'absent',
      `${where}: ${q.what} is not read for cgroups without it (controller not enabled); reported once, for the first`,
    );
  }

  private markKept(id: string, keep: boolean, keepUsage: boolean): void {
    if (keep) this.kept.markRead(id, this.tick);
    if (keepUsage) this.usageKept.markRead(id, this.tick);
  }

  private forget(fs: ProcFs, id: string): undefined {
    this.kept.releaseDir(fs, id);
    this.usageKept.releaseDir(fs, id);
    this.states.delete(id);
    return undefined;
  }
}

function sameTexts(a: readonly (string[] | undefined)[], b: readonly (string[] | undefined)[] | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

function clear(reading: CgroupReading, source: CgroupSource): void {
  for (const field of source.fields) reading[field] = undefined;
}
