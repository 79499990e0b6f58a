import { describe, expect, it } from 'vitest';
import { parseProcIo } from '../../../collectors/process/io.js';
import { ParseError } from '../../../collectors/types.js';
import { fuzzParser } from '../parser-fuzz.js';
import { fixture } from './fixtures.js';

describe('parseProcIo', () => {
  it.each([
    [
      'procs/basic/proc/500/io',
      { rchar: 2 ** 31, wchar: 2 ** 31, readBytes: 2 ** 30, writeBytes: 2 ** 30, cancelledWriteBytes: 0 },
    ],
    [
      'procs/basic/proc/200/io',
      { rchar: 2097152, wchar: 1048576, readBytes: 1048576, writeBytes: 524288, cancelledWriteBytes: 0 },
    ],
    // exact beyond 2^53: the counter becomes a bigint; a missing cancelled_write_bytes is 0
    [
      'procs/parsers/io-u64-max',
      { rchar: 18446744073709551615n, wchar: 0, readBytes: 1, writeBytes: 2, cancelledWriteBytes: 0 },
    ],
  ])('reads %s', (rel, expected) => {
    expect(parseProcIo(fixture(rel))).toEqual(expected);
  });

  it('reads io counters, exact beyond 2^53', () => {
    const big = parseProcIo('rchar: 18446744073709551615\nwchar: 0\nread_bytes: 1\nwrite_bytes: 2\n');
    expect(big.rchar).toBe(18446744073709551615n);
  });

  it.each([
    ['rchar: 1\n', /expected rchar, wchar, read_bytes and write_bytes/],
    ['rchar: x\nwchar: 0\nread_bytes: 1\nwrite_bytes: 2\n', /io: rchar/],
  ])('rejects %j with a ParseError', (text, message) => {
    expect(() => parseProcIo(text)).toThrow(ParseError);
    expect(() => parseProcIo(text)).toThrow(message);
  });

  it('yields a value or a ParseError on any input', () => {
    fuzzParser(parseProcIo, fixture('host/proc/3396/io'));
  });
});
