import { describe, expect, it } from 'vitest';
import { parseMaxOpenFiles } from '../../../collectors/process/limits.js';
import { ParseError } from '../../../collectors/types.js';
import { fuzzParser } from '../parser-fuzz.js';
import { fixture } from './fixtures.js';

describe('parseMaxOpenFiles', () => {
  it('reads the soft open-files limit of a real limits file', () => {
    expect(parseMaxOpenFiles(fixture('host/proc/1/limits'))).toBeGreaterThan(0);
  });

  it.each([
    ['procs/basic/proc/1/limits', 1024],
    ['procs/parsers/limits-unlimited', undefined],
    ['procs/parsers/limits-no-open-files', undefined],
  ])('reads %s as %s', (rel, expected) => {
    expect(parseMaxOpenFiles(fixture(rel))).toBe(expected);
  });

  it('takes unlimited as no limit', () => {
    expect(parseMaxOpenFiles('Max open files            unlimited            unlimited            files\n')).toBe(
      undefined,
    );
  });

  it('rejects a value that is not a number with a ParseError', () => {
    expect(() => parseMaxOpenFiles('Max open files            many            many            files\n')).toThrow(
      ParseError,
    );
  });

  it('yields a value or a ParseError on any input', () => {
    fuzzParser((t) => parseMaxOpenFiles(t), fixture('host/proc/1/limits'));
  });
});
