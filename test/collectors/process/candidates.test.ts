import { describe, expect, it } from 'vitest';
import { CandidateChooser } from '../../../collectors/process/candidates.js';
import { type RowFacts, row } from './rows.js';

const pids = (rows: { sample: { pid: number } }[]) => rows.map((r) => r.sample.pid);

describe('CandidateChooser', () => {
  it('takes processes in D state first, whatever their measures', () => {
    const rows = [row(1), row(2, { state: 'D' }), row(3, { dCpu: 5 }), row(4, { state: 'D' })];
    expect(pids(new CandidateChooser(1, 0).choose(rows).rows)).toEqual([2, 4, 3]);
  });

  it.each<[string, RowFacts]>([
    ['CPU used on the last tick', { dCpu: 3 }],
    ['resident memory', { rssPages: 100 }],
    ['threads', { numThreads: 8 }],
    ['major faults on the last tick', { dMaj: 2 }],
    ['run delay on the last tick', { dRun: 1000 }],
    ['I/O between its last two io reads', { ioActivity: 4096 }],
    ['descriptors against the limit', { fds: 900, fdLimit: 1024 }],
  ])('takes the top process by %s', (_measure, facts) => {
    const rows = [row(1), row(2, facts), row(3)];
    expect(pids(new CandidateChooser(1, 0).choose(rows).rows)).toEqual([2]);
  });

  it('takes the top perMeasure of each measure once, in measure order, and no process for a zero', () => {
    const rows = [
      row(1, { dCpu: 1 }),
      row(2, { dCpu: 9, rssPages: 50 }),
      row(3, { dCpu: 5 }),
      row(4, { rssPages: 70 }),
      row(5, { rssPages: 10 }),
      row(6),
    ];
    expect(pids(new CandidateChooser(2, 0).choose(rows).rows)).toEqual([2, 3, 4]);
  });

  it('breaks ties by pid order', () => {
    const rows = [row(1, { dCpu: 4 }), row(2, { dCpu: 4 }), row(3, { dCpu: 4 })];
    expect(pids(new CandidateChooser(2, 0).choose(rows).rows)).toEqual([1, 2]);
  });

  it('ranks descriptors by share of the limit, and by count only where no limit is known', () => {
    const rows = [
      row(1, { fds: 5000, fdLimit: 1_000_000 }),
      row(2, { fds: 900, fdLimit: 1024 }),
      row(3, { fds: 40 }),
      row(4, { fds: 30 }),
    ];
    const chosen = new CandidateChooser(2, 0).choose(rows);
    expect(pids(chosen.rows)).toEqual([2, 1]);
    expect(pids([...chosen.fdSticky])).toEqual([2, 1]);
    expect(pids([...new CandidateChooser(1, 0).choose([row(3, { fds: 40 }), row(4, { fds: 30 })]).fdSticky])).toEqual([
      3,
    ]);
  });

  it('takes a round-robin slice of the rest after the last one, wrapping around, so that all are reached', () => {
    const chooser = new CandidateChooser(1, 2);
    const ticks: number[][] = [];
    for (let tick = 0; tick < 3; tick++) {
      const rows = [row(10, { dCpu: 1 }), row(20), row(30), row(40), row(50)];
      ticks.push(pids(chooser.choose(rows).rows));
    }
    // pid 10 is the CPU top every tick; the slice moves on from where it stopped
    expect(ticks).toEqual([
      [10, 20, 30],
      [10, 40, 50],
      [10, 20, 30],
    ]);
  });

  it('passes over, in the round robin, the processes that did not run since their details were read', () => {
    const rows = [row(10), row(20, { ranSinceDetails: false }), row(30), row(40, { ranSinceDetails: false }), row(50)];
    expect(pids(new CandidateChooser(1, 2).choose(rows).rows)).toEqual([10, 30]);
    // a top process is taken all the same
    expect(pids(new CandidateChooser(1, 0).choose([row(20, { ranSinceDetails: false, dRun: 5 })]).rows)).toEqual([20]);
  });

  it('marks what it chose', () => {
    const rows = [row(1, { dCpu: 1 }), row(2)];
    new CandidateChooser(1, 0).choose(rows);
    expect(rows.map((r) => r.candidate)).toEqual([true, false]);
  });
});
