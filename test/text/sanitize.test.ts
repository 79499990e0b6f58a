import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitize, sanitizeDeep } from '../../src/text/sanitize.js';

/** What must never reach a terminal: C0, DEL, C1, bidi controls, line separators, lone surrogates. */
const UNSAFE =
  /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('sanitize', () => {
  it.each([
    ['CSI: clear screen and colours', 'evil\x1b[2J\x1b[31mred\x1b[0m', 'evilred'],
    ['CSI with intermediates and parameters', 'a\x1b[?1049hb\x1b[1;31;42mc', 'abc'],
    ['CSI cut short at the end', 'name\x1b[31', 'name'],
    ['OSC title ended by BEL', 'title\x1b]0;pwned\x07x', 'titlex'],
    ['OSC hyperlink ended by ST', '\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\', 'link'],
    ['OSC never ended', 'a\x1b]0;rest of the name', 'a'],
    ['DCS string', 'a\x1bPq#0;2;0;0;0\x1b\\b', 'ab'],
    ['two-byte escape (RIS: reset the terminal)', 'a\x1bcb', 'ab'],
    ['8-bit CSI', 'csi\x9b31mx', 'csix'],
    ['8-bit OSC: the introducer is replaced, the text stays inert', 'a\x9d0;t\x9cb', 'a?0;t?b'],
    ['newline, carriage return, tab', 'line1\nline2\r\t!', 'line1?line2??!'],
    ['NUL, BEL, backspace, DEL', 'a\x00b\x07c\x08d\x7fe', 'a?b?c?d?e'],
    ['bidi override and isolate', 'rtl\u202eexe.txt\u2066x\u2069', 'rtl?exe.txt?x?'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a?b?c'],
    ['lone surrogates (invalid UTF-8 via JSON)', 'a\ud800b\udc00c', 'a?b?c'],
    [
      'U+FFFD from invalid UTF-8 decoding is printable',
      Buffer.from([0x61, 0xff, 0xfe, 0x62]).toString('utf8'),
      'a\ufffd\ufffdb',
    ],
    ['a parenthesis in a comm', 'evil) R 1 2', 'evil) R 1 2'],
    ['ordinary names', 'nginx: worker process', 'nginx: worker process'],
    ['wide characters and emoji (surrogate pairs)', '数据库 🐘', '数据库 🐘'],
  ])('%s', (_what, input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });

  it('never lets an unsafe character through, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        const out = sanitize(s);
        expect(UNSAFE.test(out)).toBe(false);
        expect(out.includes('\x1b')).toBe(false);
      }),
    );
  });

  it('returns ordinary text as the same string', () => {
    const name = 'systemd-journald';
    expect(sanitize(name)).toBe(name);
  });
});

describe('sanitizeDeep', () => {
  it('sanitises every string and key of plain data and keeps numbers and other objects', () => {
    class Matcher {
      pattern = '\x1b[31m';
    }
    const matcher = new Matcher();
    const out = sanitizeDeep({
      instance: 'sda\x1b]0;x\x07',
      values: { 'eth0\n': 1, lo: 2 },
      list: [{ name: 'a\x1b[2Jb', pid: 7 }, 'c\rd', null, true],
      matcher,
    });
    expect(out).toEqual({
      instance: 'sda',
      values: { 'eth0?': 1, lo: 2 },
      list: [{ name: 'ab', pid: 7 }, 'c?d', null, true],
      matcher,
    });
    expect(out.matcher).toBe(matcher);
  });

  it('copies a "__proto__" key as a key: the copy keeps its prototype and gains no inherited values', () => {
    const out = sanitizeDeep(JSON.parse('{"__proto__":{"polluted":1},"a":2}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out.polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
  });
});
