import { describe, expect, it } from 'vitest';
import { advanceRunDelay, newRunDelayTrack, ThreadDelayReader } from '../../../collectors/process/run-delay.js';

const threads = (entries: [string, number][]) => new Map(entries);

describe('advanceRunDelay', () => {
  it('starts the counter at the leader’s run delay, with no increment', () => {
    const t = newRunDelayTrack(1000);
    advanceRunDelay(t, 1000, undefined);
    expect(t).toMatchObject({ counterNs: 1000, increment: 0, threadsWaited: false });
  });

  it.each([
    ['the leader’s increase when threads are not read', 1500, undefined, undefined, 500],
    ['no decrease when the leader’s counter goes back', 800, undefined, undefined, 0],
    ['the leader’s increase when the threads were not read the tick before', 1500, undefined, [['1', 2000]], 500],
    [
      'the sum of every thread’s increase when read on both ticks',
      1100,
      [
        ['1', 1000],
        ['2', 400],
      ],
      [
        ['1', 1100],
        ['2', 900],
      ],
      600,
    ],
    [
      'all of a new thread’s delay, born in between',
      1000,
      [['1', 1000]],
      [
        ['1', 1000],
        ['3', 250],
      ],
      250,
    ],
  ] as const)('adds %s', (_what, leader, before, now, increment) => {
    const t = newRunDelayTrack(1000);
    advanceRunDelay(t, 1000, before === undefined ? undefined : threads(before.map(([a, b]) => [a, b])));
    advanceRunDelay(t, leader, now === undefined ? undefined : threads(now.map(([a, b]) => [a, b])));
    expect(t.increment).toBe(increment);
    expect(t.counterNs).toBe(1000 + increment);
  });

  it('remembers whether the threads waited, which keeps them read on the next tick', () => {
    const t = newRunDelayTrack(0);
    advanceRunDelay(t, 0, threads([['1', 0]]));
    advanceRunDelay(t, 0, threads([['1', 10]]));
    expect(t.threadsWaited).toBe(true);
    advanceRunDelay(t, 0, threads([['1', 10]]));
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
