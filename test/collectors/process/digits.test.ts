import { describe, expect, it } from 'vitest';
import { counterAt, equalsAt, NOT_A_COUNTER, skipBlanks } from '../../../collectors/parse.js';
import { forEachKeyedLine, tokenEnd, unsignedAt } from '../../../collectors/process/digits.js';
import { ParseError } from '../../../collectors/types.js';

describe('the per-pid parsers’ scanning', () => {
  it.each([
    ['12345', 0, 5, 12345],
    ['ab42cd', 2, 4, 42],
    ['', 0, 0, NOT_A_COUNTER],
    ['-1', 0, 2, NOT_A_COUNTER],
    ['1x', 0, 2, NOT_A_COUNTER],
    ['1'.repeat(21), 0, 21, NOT_A_COUNTER],
  ])('counterAt(%j, %i, %i) is %s', (text, start, end, expected) => {
    expect(counterAt(text, start, end)).toBe(expected);
  });

  it('reads a per-pid field past 2^53 as the nearest number rather than refusing it', () => {
    expect(unsignedAt('18446744073709551615', 0, 20, 'stat: field 23')).toBe(2 ** 64);
  });

  it('names the field and the text when a number is not one', () => {
    expect(() => unsignedAt('Threads: x', 9, 10, 'status: Threads')).toThrow(ParseError);
    expect(() => unsignedAt('Threads: x', 9, 10, 'status: Threads')).toThrow(
      'status: Threads: not an unsigned integer: "x"',
    );
  });

  it('skips blanks and finds the end of a token within bounds', () => {
    expect(skipBlanks('a \t b', 1, 5)).toBe(4);
    expect(tokenEnd('abc def', 0, 7)).toBe(3);
    expect(tokenEnd('abc\n', 0, 4)).toBe(3);
    expect(tokenEnd('abcdef', 0, 2)).toBe(2);
  });

  it('compares a key in place', () => {
    expect(equalsAt('VmRSS:\t1 kB', 0, 5, 'VmRSS')).toBe(true);
    expect(equalsAt('VmRSSx:\t1 kB', 0, 6, 'VmRSS')).toBe(false);
  });

  it('visits each "key: value" line with its key and value, skipping lines without a colon', () => {
    const text = 'Name:\tbash\nno colon here\nVmRSS:    4156 kB\n:empty key\nlast:x';
    const seen: [string, string][] = [];
    forEachKeyedLine(text, (key, colon, value, lineEnd) =>
      seen.push([text.slice(key, colon), text.slice(value, lineEnd)]),
    );
    expect(seen).toEqual([
      ['Name', 'bash'],
      ['VmRSS', '4156 kB'],
      ['last', 'x'],
    ]);
  });
});
