import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { displayWidth, fitWidth, wrap } from '../../src/tui/text.js';

const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

describe('fitWidth', () => {
  it('pads or cuts ASCII to the exact width', () => {
    expect(fitWidth('abc', 5)).toBe('abc  ');
    expect(fitWidth('abc', 5, 'right')).toBe('  abc');
    expect(fitWidth('abcdefgh', 5, 'left', '…')).toBe('abcd…');
  });

  it('never splits a wide character: the cut is padded instead', () => {
    const cut = fitWidth('数据库服务器', 6, 'left', '…');
    expect(stringWidth(cut)).toBe(6);
    expect(cut).toBe('数据… ');
  });

  it('keeps emoji grapheme clusters whole', () => {
    const family = '👨‍👩‍👧‍👦';
    const cut = fitWidth(`${family}${family}${family}`, 5, 'left', '~');
    expect(stringWidth(cut)).toBe(5);
    expect(cut.startsWith(family)).toBe(true);
  });

  it('any text comes out exactly as wide as asked, with no control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.integer({ min: 1, max: 40 }), (text, width) => {
        const out = fitWidth(text, width);
        expect(stringWidth(out)).toBe(width);
        expect(displayWidth(out)).toBe(width);
        expect(CONTROL.test(out)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('wrap', () => {
  it('wraps words within the width and cuts a word longer than a line', () => {
    expect(wrap('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
    expect(wrap('a supercalifragilistic b', 8)).toEqual(['a', 'superca~', 'b']);
  });
});
