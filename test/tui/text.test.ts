import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { displayWidth, fitWidth, sanitize, wrap } from '../../src/tui/text.js';

const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

describe('sanitize', () => {
  it('drops escape sequences and replaces control characters', () => {
    expect(sanitize('evil\x1b[2J\x1b[31mred\x1b[0m')).toBe('evilred');
    expect(sanitize('title\x1b]0;pwned\x07x')).toBe('titlex');
    expect(sanitize('line1\nline2\r\t!')).toBe('line1?line2??!');
    expect(sanitize('csi\x9b31mx')).toBe('csix');
    expect(sanitize('rtl\u202eexe.txt')).toBe('rtl?exe.txt');
  });

  it('leaves printable text alone, wide characters included', () => {
    expect(sanitize('nginx: worker')).toBe('nginx: worker');
    expect(sanitize('数据库')).toBe('数据库');
  });
});

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
