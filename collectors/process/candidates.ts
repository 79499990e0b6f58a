import type { ProcessSample } from './sample.js';
import { TopK } from './top-k.js';
import type { Tracked } from './tracking.js';

/** A process listed this tick: its sample and what the collector remembers of it. */
export interface Row {
  sample: ProcessSample;
  tracked: Tracked;
  /** The directory name under proc (the pid as listed). */
  dir: string;
  candidate: boolean;
  /** This tick's value of each measure the candidates are chosen by (SCORES), made once per row. */
  scores?: Float64Array;
}

export interface CandidateSet {
  /** The rows whose detail files are read this tick. */
  rows: Row[];
  /** The top fd users: their descriptors are counted every tick, so that their ranking stays current. */
  fdSticky: Set<Row>;
}

type Score = (row: Row) => number;

/** By share of the limit, as the fd finding is; with no known limit the count only breaks ties. */
const fdScore: Score = ({ tracked: t }) => (t.fds === undefined ? 0 : t.fdLimit ? t.fds / t.fdLimit : t.fds / 1e9);

/**
 * The measures known for every process before any detail is read (stat, schedstat), and those of the
 * recent I/O and fd users (so that their rankings stay stable). fd is last: its top is `fdSticky`.
 */
const SCORES: readonly Score[] = [
  (r) => r.tracked.dCpu,
  (r) => r.sample.rssPages,
  (r) => r.sample.numThreads,
  (r) => r.tracked.dMaj,
  (r) => r.tracked.runDelay.increment,
  (r) => r.tracked.ioActivity,
  fdScore,
];

/**
 * Chooses whose detail files to read each tick: D-state processes, the top `perMeasure` by ΔCPU,
 * RSS, threads, Δmajor faults, Δrun delay, I/O activity and fd use, plus a round-robin slice of the
 * rest in pid order, so that every process is looked at in turn.
 */
export class CandidateChooser {
  /** The pid the last round-robin slice ended at. */
  private cursor = -1;

  constructor(
    private readonly perMeasure: number,
    private readonly roundRobin: number,
  ) {}

  /** `rows` in pid order; marks each chosen row `candidate`. */
  choose(rows: Row[]): CandidateSet {
    const chosen: Row[] = [];
    const tops = topsByScore(rows, this.perMeasure, chosen);
    for (const top of tops) {
      for (const row of top.items) {
        if (row.candidate) continue;
        row.candidate = true;
        chosen.push(row);
      }
    }
    this.takeRoundRobin(rows, chosen);
    return { rows: chosen, fdSticky: new Set(tops[tops.length - 1].items) };
  }

  /**
   * Takes the next `roundRobin` rows not chosen yet after the cursor, wrapping around once, passing
   * over those that did not run since their details were last read: a process changes its owner,
   * its io counters and its descriptors only by running, so their details would read the same.
   */
  private takeRoundRobin(rows: Row[], chosen: Row[]): void {
    const from = this.cursor;
    let taken = 0;
    for (let pass = 0; pass < 2 && taken < this.roundRobin; pass++) {
      for (const row of rows) {
        if (taken >= this.roundRobin) break;
        if (row.candidate || !row.tracked.ranSinceDetails || (pass === 0 && row.sample.pid <= from)) continue;
        row.candidate = true;
        chosen.push(row);
        this.cursor = row.sample.pid;
        taken++;
      }
    }
  }
}

/**
 * One pass over the rows: D-state ones go straight to `chosen`, and each score keeps its top k. Each
 * score is worked out once per row into `row.scores`, which the orders compare.
 */
function topsByScore(rows: Row[], k: number, chosen: Row[]): TopK<Row>[] {
  const tops = SCORES.map((_, i) => new TopK<Row>(k, (a, b) => scoreOf(b, i) - scoreOf(a, i)));
  for (const row of rows) {
    if (row.sample.state === 'D') {
      row.candidate = true;
      chosen.push(row);
    }
    row.scores ??= new Float64Array(SCORES.length);
    for (let i = 0; i < SCORES.length; i++) {
      row.scores[i] = SCORES[i](row);
      if (row.scores[i] > 0) tops[i].offer(row);
    }
  }
  return tops;
}

function scoreOf(row: Row, i: number): number {
  return (row.scores as Float64Array)[i];
}
