import { describe, expect, it } from 'vitest';
import { type ProcSchedstat, parseSchedstat, parseSchedstatInto } from '../../../collectors/process/schedstat.js';
import { ParseError } from '../../../collectors/types.js';
import { fuzzParser } from '../parser-fuzz.js';
import { fixture } from './fixtures.js';

const parseInPlace = (text: string): ProcSchedstat => parseSchedstatInto(text, { runNs: 0, runDelayNs: 0 });

describe('parseSchedstat', () => {
  it('reads the run delay of schedstat', () => {
    const text = fixture('host/proc/1/schedstat');
    expect(parseSchedstat(text).runDelayNs).toBe(Number(text.split(' ')[1]));
  });

  it.each([
    ['procs/basic/proc/1/schedstat', { runNs: 192993524, runDelayNs: 9043720 }],
    ['procs/basic/proc/2/schedstat', { runNs: 4416883, runDelayNs: 11516857 }],
  ])('reads %s', (rel, expected) => {
    expect(parseSchedstat(fixture(rel))).toEqual(expected);
    expect(parseInPlace(fixture(rel))).toEqual(expected);
  });

  it('keeps a run delay beyond 2^53 exact', () => {
    expect(parseSchedstat('1 18446744073709551615 3\n').runDelayNs).toBe(18446744073709551615n);
  });

  it.each([
    ['12\n', /expected "run_ns run_delay_ns timeslices"/],
    ['', /expected "run_ns run_delay_ns timeslices"/],
    // a limits file where schedstat should be (fixture pid 200 of the basic tree)
    ['Limit Soft Hard\n', /schedstat: run_ns/],
  ])('rejects %j with a ParseError', (text, message) => {
    expect(() => parseSchedstat(text)).toThrow(ParseError);
    expect(() => parseSchedstat(text)).toThrow(message);
    expect(() => parseInPlace(text)).toThrow(message);
  });

  it('reads in place as parseSchedstat does, beyond 2^53 too', () => {
    for (const text of ['1 18446744073709551615 3\n', '5 6 7\n', '5  6\t7', '0 0 0'])
      expect(parseInPlace(text)).toEqual(parseSchedstat(text));
  });

  it('yields a value or a ParseError on any input', () => {
    fuzzParser(parseSchedstat, fixture('host/proc/1/schedstat'));
    fuzzParser(parseInPlace, fixture('host/proc/1/schedstat'));
  });
});
