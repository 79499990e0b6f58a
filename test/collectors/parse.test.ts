import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  counterAt,
  equalsAt,
  fields,
  lines,
  NOT_A_COUNTER,
  parseCounter,
  Scanner,
  sameTextAt,
  smallCounterAt,
  toNumber,
} from '../../collectors/parse.js';
import { ParseError } from '../../collectors/types.js';

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

describe('counterAt', () => {
  const cases: [token: string, value: number | bigint][] = [
    ['0', 0],
    ['42', 42],
    ['007', 7],
    ['999999999999999', 999999999999999],
    ['9007199254740991', Number.MAX_SAFE_INTEGER], // 2^53 − 1: still a number
    ['9007199254740992', 9007199254740992n], // 2^53: a bigint, not rounded
    ['9007199254740993', 9007199254740993n], // 2^53 + 1, which a double cannot hold
    ['0000009007199254740991', NOT_A_COUNTER], // 22 characters: longer than any 64-bit counter
    ['00009007199254740991', Number.MAX_SAFE_INTEGER],
    ['9223372036854775807', 9223372036854775807n], // LONG_MAX (file-max on systemd hosts)
    ['18446744073709551615', 18446744073709551615n], // 2^64 − 1
    ['', NOT_A_COUNTER],
    ['-1', NOT_A_COUNTER],
    ['+1', NOT_A_COUNTER],
    ['1.5', NOT_A_COUNTER],
    ['0x1a', NOT_A_COUNTER],
    ['12 ', NOT_A_COUNTER],
    ['123456789012345678901', NOT_A_COUNTER], // 21 digits
  ];
  for (const [token, value] of cases) {
    it(`reads "${token}" in the middle of a line as ${typeof value === 'bigint' ? `${value}n` : value}`, () => {
      const text = `key: ${token}\nnext`;
      expect(counterAt(text, 5, 5 + token.length)).toBe(value);
    });
  }

  it('agrees with BigInt on every decimal of up to 20 digits, as a number exactly when it is safe', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        const text = `x ${n} y`;
        const v = counterAt(text, 2, 2 + String(n).length);
        expect(BigInt(v)).toBe(n);
        expect(typeof v).toBe(n <= BigInt(Number.MAX_SAFE_INTEGER) ? 'number' : 'bigint');
      }),
    );
  });

  it('gives parseCounter its values and its error message', () => {
    expect(parseCounter('18446744073709551615')).toBe(18446744073709551615n);
    expect(() => parseCounter('12x', 'line 3: ctxt')).toThrow(
      new ParseError('line 3: ctxt: not an unsigned integer: "12x"'),
    );
  });
});

describe('toNumber', () => {
  it('passes numbers through and converts bigints', () => {
    expect(toNumber(12)).toBe(12);
    expect(toNumber(2n ** 60n)).toBe(2 ** 60);
  });
});

describe('equalsAt and sameTextAt', () => {
  it('compare a range with a word, or two ranges, in place and by length too', () => {
    const text = 'pgmajfault 3\npgmajfaults 4\npgmajfault 5';
    expect(equalsAt(text, 0, 10, 'pgmajfault')).toBe(true);
    expect(equalsAt(text, 13, 24, 'pgmajfault')).toBe(false);
    expect(sameTextAt(text, 0, 10, 27, 37)).toBe(true);
    expect(sameTextAt(text, 0, 10, 13, 24)).toBe(false);
  });
});

/** Every line of a text as the scanner walks it: its number and its fields. */
function scan(text: string): [number, string[]][] {
  const out: [number, string[]][] = [];
  const s = new Scanner(text);
  while (s.nextLine()) {
    const row: string[] = [];
    while (s.nextField()) row.push(s.field());
    out.push([s.lineNo, row]);
  }
  return out;
}

describe('Scanner', () => {
  const cases: [text: string, expected: [number, string[]][]][] = [
    ['', []],
    ['\n', [[1, []]]],
    ['a b', [[1, ['a', 'b']]]],
    ['a b\n', [[1, ['a', 'b']]]],
    [
      'a\n\nb\n',
      [
        [1, ['a']],
        [2, []],
        [3, ['b']],
      ],
    ],
    ['  cpu0\t1  2 \t3  \n', [[1, ['cpu0', '1', '2', '3']]]],
    ['x\r\n', [[1, ['x\r']]]], // only spaces and tabs separate fields
  ];
  for (const [text, expected] of cases) {
    it(`walks ${JSON.stringify(text)} line by line and field by field`, () => {
      expect(scan(text)).toEqual(expected);
    });
  }

  it('sees the lines of lines() and the fields of fields(), on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '1', ' ', '\t', '\n', ':') }), (text) => {
        expect(scan(text).map(([, row]) => row)).toEqual(lines(text).map(fields));
      }),
    );
  });

  it('reads counters field by field, exactly, and names the field that is not one', () => {
    const s = new Scanner('rx 5 18446744073709551615 x7\n');
    s.nextLine();
    s.nextField();
    expect(s.nextCounter()).toBe(5);
    expect(s.nextCounter()).toBe(18446744073709551615n);
    expect(s.nextCounter()).toBe(NOT_A_COUNTER);
    expect(s.notCounter('line 1 rx')).toEqual(new ParseError('line 1 rx: not an unsigned integer: "x7"'));
    expect(s.nextCounter()).toBe(NOT_A_COUNTER); // no field left
  });

  it('counts the fields left without moving, and records column bounds', () => {
    const s = new Scanner('8 0 sda 1 2 3\n');
    s.nextLine();
    s.nextField();
    expect(s.countFields()).toBe(5);
    expect(s.field()).toBe('8');
    const bounds = new Int32Array(6);
    expect(s.columns(bounds)).toBe(5); // more columns than room: the count is still all of them
    expect([...bounds]).toEqual([2, 3, 4, 7, 8, 9]);
  });

  it('continues after a field set by hand, such as the value after a colon', () => {
    const text = 'MemTotal:   10 kB';
    const s = new Scanner(text);
    s.nextLine();
    const colon = text.indexOf(':');
    s.setField(colon + 1, colon + 1);
    expect(s.nextCounter()).toBe(10);
    expect(s.nextField() && s.fieldIs('kB')).toBe(true);
    expect(s.blankLine()).toBe(false);
  });
});
