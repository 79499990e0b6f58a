import { describe, expect, it } from 'vitest';
import { minorFaults, parseStatTimes, statusKiB, treeCpuMs } from '../../bench/whole/proc-stat.js';

describe('parseStatTimes', () => {
  it('reads ppid, minor faults and the four CPU times after a comm holding spaces and parentheses', () => {
    const stat = '4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 500 0 0 0 731 120 15 4 20 0 3 0 100 0 0\n';
    expect(parseStatTimes(stat)).toEqual({ ppid: 1, minflt: 500, utime: 731, stime: 120, cutime: 15, cstime: 4 });
  });

  it('says which field is not a number', () => {
    expect(() => parseStatTimes('1 (x) S 0 1 1 0 -1 0 0 0 0 0 oops 1 0 0')).toThrow(/field 14 is "oops"/);
  });
});

describe('statusKiB', () => {
  it('reads a kB line, and nothing for a process without it', () => {
    expect(statusKiB('Name:\tnode\nVmHWM:\t  91234 kB\nVmRSS:\t 80000 kB\n', 'VmHWM')).toBe(91234);
    expect(statusKiB('Name:\tkthreadd\n', 'VmHWM')).toBeUndefined();
  });
});

describe('minorFaults', () => {
  it('counts the pages this process touches for the first time', () => {
    const before = minorFaults(process.pid);
    // 8 MB never touched before: one fault per 4 KB page at least, whatever else the process does
    const fresh = Buffer.alloc(8 * 1024 * 1024, 1);
    expect(minorFaults(process.pid) - before).toBeGreaterThanOrEqual(fresh.length / 4096 / 2);
  });
});

describe('treeCpuMs', () => {
  it('counts at least the CPU this process has used so far', () => {
    const own = process.cpuUsage();
    expect(treeCpuMs(process.pid)).toBeGreaterThanOrEqual(((own.user + own.system) / 1000) * 0.5);
  });
});
