import { describe, expect, it } from 'vitest';
import { isKernelThread, parseProcStat } from '../../../collectors/process/stat.js';
import { ParseError } from '../../../collectors/types.js';
import { fuzzParser } from '../parser-fuzz.js';
import { fixture } from './fixtures.js';

describe('parseProcStat', () => {
  it('reads the fields of a real /proc/<pid>/stat', () => {
    const stat = parseProcStat(fixture('host/proc/3396/stat'));
    expect(stat).toEqual({
      pid: 3396,
      comm: 'bash',
      state: 'S',
      ppid: 3379,
      flags: 4194560,
      minflt: 11073,
      majflt: 0,
      utime: 2,
      stime: 7,
      numThreads: 1,
      starttime: 25312,
      vsizeBytes: 5255168,
      rssPages: 981,
      processor: 1,
      blkioTicks: 0,
    });
    expect(isKernelThread(stat)).toBe(false);
  });

  it.each([
    ['host/proc/2/stat', true],
    ['host/proc/3396/stat', false],
    ['procs/basic/proc/2/stat', true],
    ['procs/basic/proc/1/stat', false],
  ])('tells a kernel thread by PF_KTHREAD: %s → %s', (rel, kthread) => {
    expect(isKernelThread(parseProcStat(fixture(rel)))).toBe(kthread);
  });

  it('recognises kthreadd by name and flag', () => {
    const stat = parseProcStat(fixture('host/proc/2/stat'));
    expect(stat.comm).toBe('kthreadd');
    expect(isKernelThread(stat)).toBe(true);
  });

  // comm may hold spaces and ')': it ends at the LAST ')', and the fields after it keep their places
  it.each([
    ['procs/basic/proc/100/stat', { pid: 100, comm: '(sd-pam)', state: 'S' }],
    ['procs/basic/proc/200/stat', { pid: 200, comm: 'a) b', state: 'R', utime: 5000, stime: 1000, numThreads: 4 }],
    ['procs/basic/proc/1/stat', { pid: 1, comm: 'systemd', ppid: 0, starttime: 1001, rssPages: 3000 }],
    ['procs/parsers/stat-old-kernel', { pid: 42, utime: 7, stime: 3, numThreads: 2, starttime: 99, rssPages: 12 }],
  ])('reads %s', (rel, expected) => {
    expect(parseProcStat(fixture(rel))).toMatchObject(expected);
  });

  it('accepts an old kernel without the fields after rss', () => {
    const stat = parseProcStat(fixture('procs/parsers/stat-old-kernel'));
    expect(stat.processor).toBeUndefined();
    expect(stat.blkioTicks).toBeUndefined();
  });

  it.each([
    ['42 (old) S 1 42 42', /6 fields, expected at least 24/],
    ['no comm here', /no "pid \(comm\)" prefix/],
    ['x1 (a) S 1', /stat: pid: not an unsigned integer/],
    ['42 (old) S 1  42', /field 5 is empty/],
    ['42 (old) S -1 42 42 0 -1 0 5 0 1 0 7 3 0 0 20 0 2 0 99 4096 12', /field 4: not an unsigned integer: "-1"/],
  ])('rejects %j with a ParseError naming the problem', (text, message) => {
    expect(() => parseProcStat(text)).toThrow(ParseError);
    expect(() => parseProcStat(text)).toThrow(message);
  });

  it('yields a value or a ParseError on any input', () => {
    fuzzParser(parseProcStat, fixture('host/proc/3396/stat'));
  });
});
