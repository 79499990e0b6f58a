import { KeptDescriptors, readPidFile } from '../process/kept.js';
import { FileTally } from '../process/tally.js';
import type { ProcFs, SourceLog } from '../procfs.js';
import { type Cadence, CGROUP_QUANTITIES, type CgroupQuantity, type CgroupSource } from './files.js';
import type { CgroupReading, WorkloadCgroup } from './sample.js';

/**
 * Reads workload cgroups into CgroupReadings, tick after tick, at a bounded cost:
 * - where each quantity comes from (the v2 directory, else the v1 controller's) is decided when a
 *   cgroup is first seen, so a tick reads only files known to be there;
 * - the per-tick files of up to `keepOpen` cgroups stay open and are re-read from offset 0 (the
 *   process collector's policy, collectors/process/kept.ts);
 * - limits (cpu.max, memory.max and .high, pids.max) are read at first sight and then every
 *   `limitsEveryMs`, spread over the cgroups so that no tick reads them all; quantities a cgroup
 *   lacked are looked for again at the same pace (a controller enabled later);
 * - a cgroup whose file answers ENOENT or ENODEV has gone away: its descriptors are closed and it is
 *   left out of the sample, with no report, as the process collector does for an exited process;
 * - a quantity neither hierarchy has (its controller not enabled) is reported once, not per cgroup
 *   or per tick; other failures are counted per file and reported once a tick.
 */
export interface CgroupReaderOptions {
  /** How often a cgroup's limits are re-read, ms (10 s). */
  limitsEveryMs?: number;
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
  /** The per-tick files, kept open while the cgroup is one of those kept. */
  keptPaths: string[];
  limitsDue: number;
  /** The tick that last listed the cgroup. */
  listed: number;
  /** The last reading: limits carry over to the ticks that do not re-read them. */
  previous: CgroupReading;
}

/** Per-tick files of a cgroup at most: v2 cpu.stat and pressure, v1 cpu.stat and the rest (hybrid host). */
const MOST_KEPT_FILES = 13;
const LIMITS_EVERY_MS = 10_000;
/** First re-reads of limits are spread over this many slices of limitsEveryMs. */
const LIMIT_SLICES = 10;

type Outcome = 'read' | 'gone' | 'unreadable';

export class CgroupReader {
  private readonly states = new Map<string, CgroupState>();
  private readonly kept: KeptDescriptors;
  private readonly limitsEveryMs: number;
  private readonly now: () => number;
  private readonly reportedMissing = new Set<string>();
  private tallies = new Map<string, FileTally>();
  private tick = 0;
  private firstSights = 0;

  constructor(options: CgroupReaderOptions = {}) {
    this.limitsEveryMs = options.limitsEveryMs ?? LIMITS_EVERY_MS;
    this.now = options.now ?? (() => performance.now());
    this.kept = new KeptDescriptors(options.keepOpen ?? 1000, {
      filesPerDir: MOST_KEPT_FILES,
      paths: (id) => this.states.get(id)?.keptPaths ?? [],
    });
  }

  startTick(fs: ProcFs): void {
    this.tick++;
    this.tallies = new Map();
    this.kept.startTick(fs);
  }

  /** One cgroup's reading on this tick; undefined when it has gone away (or has no file to read). */
  read(log: SourceLog, cg: WorkloadCgroup): CgroupReading | undefined {
    const state = this.states.get(cg.identity.id);
    if (state === undefined) return this.firstSight(log, cg);
    state.listed = this.tick;
    const now = this.now();
    const limitsDue = now >= state.limitsDue;
    const keep = this.kept.offers(cg.identity.id);
    const reading: CgroupReading = { ...state.previous, identity: cg.identity };
    for (const p of state.planned) {
      if (p.cadence === 'limits' && !limitsDue) continue;
      if (this.readSource(log.fs, p, keep && p.cadence === 'tick', reading) === 'gone') {
        this.forget(log.fs, cg.identity.id);
        return undefined;
      }
    }
    if (limitsDue) {
      state.limitsDue = now + this.limitsEveryMs;
      if (state.missing.length > 0) this.lookAgain(log, cg, state, reading);
    }
    if (keep) this.kept.markRead(cg.identity.id, this.tick);
    state.previous = reading;
    return reading;
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
    const planned: PlannedSource[] = [];
    const missing: { quantity: CgroupQuantity; tried?: string }[] = [];
    for (const quantity of CGROUP_QUANTITIES) {
      if (quantity.coveredBy !== undefined && reading[quantity.coveredBy] !== undefined) continue;
      const found = this.resolve(log.fs, cg, quantity, keep, reading);
      if ('source' in found) planned.push(found);
      // the first file looked for is not there: the cgroup went away since discovery listed it
      else if (planned.length === 0 && found.tried !== undefined) return undefined;
      else missing.push({ quantity, tried: found.tried });
    }
    if (planned.length === 0) return undefined;
    for (const m of missing) this.reportMissing(log, cg, m.quantity, m.tried);
    const keptPaths = planned.filter((p) => p.cadence === 'tick').flatMap((p) => p.rels);
    const slice = this.firstSights++ % LIMIT_SLICES;
    this.states.set(cg.identity.id, {
      planned,
      missing: missing.map((m) => m.quantity),
      keptPaths,
      limitsDue: this.now() + this.limitsEveryMs * (1 + slice / LIMIT_SLICES),
      listed: this.tick,
      previous: reading,
    });
    if (keep) this.kept.markRead(cg.identity.id, this.tick);
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
      if (this.readSource(fs, planned, keep && quantity.cadence === 'tick', reading) !== 'gone') return planned;
      tried ??= planned.rels[0];
    }
    return { tried };
  }

  /** Reads a source's files and applies them; fields of what cannot be read or parsed are cleared. */
  private readSource(fs: ProcFs, p: PlannedSource, keep: boolean, reading: CgroupReading): Outcome {
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
      clear(reading, p.source);
      return 'unreadable';
    }
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

  private forget(fs: ProcFs, id: string): void {
    this.kept.releaseDir(fs, id);
    this.states.delete(id);
  }
}

function clear(reading: CgroupReading, source: CgroupSource): void {
  for (const field of source.fields) reading[field] = undefined;
}
