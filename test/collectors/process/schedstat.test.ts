import { describe, expect, it } from 'vitest';
import { parseSchedstat } from '../../../collectors/process/schedstat.js';
import { ParseError } from '../../../collectors/types.js';
import { fuzzParser } from '../parser-fuzz.js';
import { bytesOf, fixture, fixtureBytes } from './fixtures.js';

const parseText = (text: string) => parseSchedstat(bytesOf(text));

describe('parseSchedstat', () => {
  it('reads the run delay of schedstat', () => {
    const text = fixture('host/proc/1/schedstat');
    expect(parseText(text).runDelayNs).toBe(Number(text.split(' ')[1]));
  });

  it.each([
    ['procs/basic/proc/1/schedstat', { runNs: 192993524, runDelayNs: 9043720 }],
    ['procs/basic/proc/2/schedstat', { runNs: 4416883, runDelayNs: 11516857 }],
  ])('reads %s', (rel, expected) => {
    expect(parseSchedstat(fixtureBytes(rel))).toEqual(expected);
  });

  it('keeps a run delay beyond 2^53 exact', () => {
    expect(parseText('1 18446744073709551615 3\n').runDelayNs).toBe(18446744073709551615n);
  });

  it.each([
    ['12\n', /expected "run_ns run_delay_ns timeslices"/],
    ['', /expected "run_ns run_delay_ns timeslices"/],
    // a limits file where schedstat should be (fixture pid 200 of the basic tree)
    ['Limit Soft Hard\n', /schedstat: run_ns/],
  ])('rejects %j with a ParseError', (text, message) => {
    expect(() => parseText(text)).toThrow(ParseError);
    expect(() => parseText(text)).toThrow(message);
  });

  it('reads into the object given, blanks and beyond 2^53 alike', () => {
    const into = { runNs: 1, runDelayNs: 2 };
    expect(parseSchedstat(bytesOf('5  6\t7'), 7, into)).toBe(into);
    expect(into).toEqual({ runNs: 5, runDelayNs: 6 });
    expect(parseSchedstat(bytesOf('1 18446744073709551615 3\n'), 25, into)).toEqual({
      runNs: 1,
      runDelayNs: 18446744073709551615n,
    });
  });

  it('reads only the bytes read, in a buffer holding more', () => {
    expect(parseSchedstat(bytesOf('5 6 7\n12345 99 1\n'), 6)).toEqual({ runNs: 5, runDelayNs: 6 });
    expect(() => parseSchedstat(bytesOf('12\n 5 6'), 3)).toThrow(/expected "run_ns run_delay_ns timeslices"/);
  });

  it('yields a value or a ParseError on any input', () => {
    fuzzParser(parseText, fixture('host/proc/1/schedstat'));
  });
});
