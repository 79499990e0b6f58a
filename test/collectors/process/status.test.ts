import { describe, expect, it } from 'vitest';
import { parseProcStatus } from '../../../collectors/process/status.js';
import { ParseError } from '../../../collectors/types.js';
import { fuzzParser } from '../parser-fuzz.js';
import { fixture } from './fixtures.js';

describe('parseProcStatus', () => {
  it('reads the fields of a real status by key', () => {
    expect(parseProcStatus(fixture('host/proc/3396/status'))).toEqual({
      name: 'bash',
      uid: 0,
      vmRssKiB: 4156,
      vmSwapKiB: 0,
      threads: 1,
      voluntaryCtxtSwitches: 254,
      nonvoluntaryCtxtSwitches: 71,
      kthread: false,
    });
  });

  it.each([
    ['host/proc/2/status', { name: 'kthreadd', kthread: true }],
    ['procs/basic/proc/1/status', { name: 'systemd', uid: 0, vmRssKiB: 10240, kthread: false }],
    ['procs/basic/proc/100/status', { name: '(sd-pam)', uid: 1000 }],
  ])('reads %s', (rel, expected) => {
    expect(parseProcStatus(fixture(rel))).toMatchObject(expected);
  });

  it('leaves out the fields whose lines are missing: Vm* of a zombie, Kthread of a kernel before 6.x', () => {
    expect(parseProcStatus(fixture('procs/parsers/status-zombie-old-kernel'))).toEqual({
      name: 'defunct',
      uid: 1000,
      threads: 1,
      voluntaryCtxtSwitches: 3,
      nonvoluntaryCtxtSwitches: 0,
    });
  });

  it('takes the effective uid', () => {
    expect(parseProcStatus(fixture('procs/parsers/status-setuid')).uid).toBe(0);
    expect(parseProcStatus('Name:\tsu\nUid:\t1000\t0\t0\t0\n').uid).toBe(0);
  });

  it.each([
    ['', /neither Name: nor Uid:/],
    ['State:\tS (sleeping)\n', /neither Name: nor Uid:/],
    ['Name:\tx\nVmRSS:\tlots kB\n', /status: VmRSS: not an unsigned integer: "lots"/],
    ['Name:\tx\nThreads:\t-1\n', /status: Threads: not an unsigned integer/],
  ])('rejects %j with a ParseError naming the line', (text, message) => {
    expect(() => parseProcStatus(text)).toThrow(ParseError);
    expect(() => parseProcStatus(text)).toThrow(message);
  });

  it('yields a value or a ParseError on any input', () => {
    fuzzParser(parseProcStatus, fixture('host/proc/3396/status'));
  });
});
