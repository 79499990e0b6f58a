import { describe, expect, it } from 'vitest';
import type { ProcStat } from '../../../collectors/process/stat.js';
import { ProcessTracker, processKey } from '../../../collectors/process/tracking.js';

const stat = (pid: number, starttime: number, cpu: number, majflt = 0) =>
  ({ pid, starttime, utime: cpu, stime: 0, majflt }) as ProcStat;

describe('ProcessTracker', () => {
  it('keys a process by pid and start time, so that a reused pid is another process', () => {
    expect(processKey(200, 1200)).toBe('200:1200');
    expect(processKey(200, 9999)).not.toBe(processKey(200, 1200));
  });

  it('gives a process first seen no deltas, and the increase of CPU and major faults from then on', () => {
    const tracker = new ProcessTracker();
    const first = tracker.observe(stat(1, 10, 100, 3), 'a', 1);
    expect(first).toMatchObject({ firstTick: 1, seenTick: 1, dCpu: 0, dMaj: 0 });
    const second = tracker.observe(stat(1, 10, 130, 5), 'a', 2);
    expect(second).toBe(first);
    expect(second).toMatchObject({ firstTick: 1, seenTick: 2, dCpu: 30, dMaj: 2 });
  });

  it('starts a new record for a reused pid, with no delta across the two processes', () => {
    const tracker = new ProcessTracker();
    tracker.observe(stat(7, 10, 500), 'old', 1);
    const reused = tracker.observe(stat(7, 99, 2), 'new', 2);
    expect(reused).toMatchObject({ firstTick: 2, dCpu: 0, comm: 'new', key: processKey(7, 99) });
  });

  it('forgets the processes not seen on a tick', () => {
    const tracker = new ProcessTracker();
    tracker.observe(stat(1, 1, 0), 'a', 1);
    tracker.observe(stat(2, 2, 0), 'b', 1);
    tracker.observe(stat(1, 1, 0), 'a', 2);
    tracker.sweep(2);
    expect(tracker.size).toBe(1);
    expect(tracker.observe(stat(2, 2, 50), 'b', 3).dCpu).toBe(0);
  });
});
