import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { smallCounterAt } from '../../collectors/parse.js';

describe('smallCounterAt', () => {
  it('reads a token of up to 15 digits in place, exactly, and refuses anything else with -1', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ unit: fc.constantFrom(...'0123456789-+. x'.split('')) }),
        fc.string(),
        (a, token, b) => {
          const text = `${a}${token}${b}`;
          const expected = /^\d{1,15}$/.test(token) ? Number(token) : -1;
          expect(smallCounterAt(text, a.length, a.length + token.length)).toBe(expected);
        },
      ),
    );
  });

  it('leaves longer counters (up to 2^64) to parseCounter', () => {
    expect(smallCounterAt('999999999999999', 0, 15)).toBe(999999999999999);
    expect(smallCounterAt('18446744073709551615', 0, 20)).toBe(-1);
  });
});
