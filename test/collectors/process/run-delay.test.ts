import { describe, expect, it } from 'vitest';
import {
  advanceRunDelay,
  countThreadRead,
  newRunDelayTrack,
  ThreadDelayReader,
  type ThreadTrack,
  threadDue,
} from '../../../collectors/process/run-delay.js';

describe('advanceRunDelay', () => {
  it('starts the counter at the leader’s run delay, with no increment', () => {
    const t = newRunDelayTrack(1000);
    advanceRunDelay(t, 1000, undefined);
    expect(t).toMatchObject({ counterNs: 1000, increment: 0, threadsWaited: false });
  });

  it.each([
    ['the leader’s increase when threads are not read', 1500, undefined, 500],
    ['no decrease when the leader’s counter goes back', 800, undefined, 0],
    ['the leader’s increase and the other threads’ when they are read', 1100, 500, 600],
    ['the leader’s increase when the other threads did not wait', 1500, 0, 500],
  ] as const)('adds %s', (_what, leader, others, increment) => {
    const t = newRunDelayTrack(1000);
    advanceRunDelay(t, 1000, undefined);
    advanceRunDelay(t, leader, others);
    expect(t.increment).toBe(increment);
    expect(t.counterNs).toBe(1000 + increment);
  });

  it('remembers whether the threads waited, which keeps them read on the next tick', () => {
    const t = newRunDelayTrack(0);
    advanceRunDelay(t, 0, 0);
    advanceRunDelay(t, 0, 10);
    expect(t.threadsWaited).toBe(true);
    advanceRunDelay(t, 0, 0);
    expect(t.threadsWaited).toBe(false);
    advanceRunDelay(t, 10, undefined);
    expect(t.threadsWaited).toBe(false);
  });

  it('forgets everything when the leader’s schedstat is not read', () => {
    const t = newRunDelayTrack(1000);
    advanceRunDelay(t, undefined, undefined);
    expect(t).toEqual({
      leaderNs: undefined,
      counterNs: undefined,
      threads: undefined,
      threadsWaited: false,
      increment: 0,
    });
  });
});

describe('ThreadDelayReader', () => {
  it.each([
    [false, 4, 1000, true, true],
    [true, 4, 1000, true, false], // the host's /proc/schedstat counts every task
    [false, 1, 1000, true, false], // one thread: the leader is all of it
    [false, 4, undefined, true, false], // no leader schedstat
    [false, 4, 1000, false, false], // neither ran nor waited
  ])('host schedstat %s, %i threads, leader %s, busy %s: reads threads %s', (host, n, leader, busy, wanted) => {
    const reader = new ThreadDelayReader(1024);
    reader.startTick(host);
    expect(reader.wants(n, leader, busy)).toBe(wanted);
  });

  it('reads no thread with a budget of 0', () => {
    const reader = new ThreadDelayReader(0);
    reader.startTick(false);
    expect(reader.wants(4, 1000, true)).toBe(false);
  });
});

function thread(tid: number): ThreadTrack {
  return {
    tid: String(tid),
    tidNumber: tid,
    task: `100/task/${tid}`,
    file: `proc/100/task/${tid}/schedstat`,
    runNs: Number.NaN,
    delayNs: Number.NaN,
    quiet: false,
    readTick: 0,
    newborn: false,
  };
}

describe('countThreadRead', () => {
  const read = (runNs: number, delayNs: number, ticksSince = 1) => ({ runNs, delayNs, ticksSince, everyTicks: 10 });

  it('counts nothing for a thread first read with its process: that read is its baseline', () => {
    expect(countThreadRead(thread(101), read(5000, 700))).toBe(0);
  });

  it('counts all of the delay of a thread born since its process was read, once', () => {
    const t = { ...thread(101), newborn: true };
    expect(countThreadRead(t, read(5000, 700))).toBe(700);
    expect(countThreadRead(t, read(5000, 750))).toBe(50);
  });

  it.each([
    ['its increase since its last read', 6000, 900, 1, 200],
    ['its increase since a read 10 ticks before (a quiet thread), in full', 6000, 900, 10, 200],
    ['nothing when its counter goes back', 6000, 600, 1, 0],
    ['nothing when its last read is older than 10 ticks (its process was idle): a new baseline', 6000, 900, 11, 0],
  ] as const)('counts %s', (_what, run, delay, ticksSince, increase) => {
    const t = thread(101);
    countThreadRead(t, read(5000, 700));
    expect(countThreadRead(t, read(run, delay, ticksSince))).toBe(increase);
    expect(t.delayNs).toBe(delay);
  });

  it('marks a thread quiet when neither its CPU time nor its run delay moved between two reads', () => {
    const t = thread(101);
    countThreadRead(t, read(5000, 700));
    expect(t.quiet).toBe(false);
    countThreadRead(t, read(5000, 700));
    expect(t.quiet).toBe(true);
    countThreadRead(t, read(5100, 700));
    expect(t.quiet).toBe(false);
    countThreadRead(t, read(5100, 700));
    countThreadRead(t, read(5100, 750));
    expect(t.quiet).toBe(false);
  });
});

describe('threadDue', () => {
  /** The ticks of 1..30 that read the thread, as the reader does: each read sets its readTick. */
  const dueTicks = (t: ThreadTrack) => {
    const ticks: number[] = [];
    for (let tick = 1; tick <= 30; tick++) {
      if (!threadDue(t, tick, 10)) continue;
      ticks.push(tick);
      t.readTick = tick;
    }
    return ticks;
  };

  it('reads a thread that ran or waited on every tick', () => {
    expect(dueTicks(thread(103))).toHaveLength(30);
  });

  it('reads a quiet thread every 10th tick, on ticks set by its tid', () => {
    expect(dueTicks({ ...thread(103), quiet: true })).toEqual([7, 17, 27]);
    expect(dueTicks({ ...thread(104), quiet: true })).toEqual([6, 16, 26]);
  });

  it('reads a quiet thread at once when its last read is 10 ticks old', () => {
    const t = { ...thread(105), quiet: true, readTick: 2 };
    expect(threadDue(t, 11, 10)).toBe(false);
    expect(threadDue(t, 12, 10)).toBe(true);
  });
});
