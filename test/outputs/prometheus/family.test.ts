import { describe, expect, test } from 'vitest';
import type { Frame } from '../../../src/model/frame.js';
import { type FamilySpec, FrameFamily, familyMaker } from '../../../src/outputs/prometheus/family.js';

/** Label values a mount point or a process name can carry, escaping included. */
const ODD_VALUES = ['/', '/mnt/with space', 'back\\slash', 'new\nline', 'quote"d', '\\"\n', '', 'ünï'];

const spec: FamilySpec = {
  name: 'test_family_bytes',
  help: 'A help text with a \\ and a\nnewline and a "quote".',
  type: 'gauge',
  read(_f, emit) {
    emit(undefined, 1);
    emit({}, 2);
    ODD_VALUES.forEach((v, i) => {
      emit({ mountpoint: v, fstype: 'ext4' }, i + 0.5);
    });
    emit({ a: 'x' }, 2n ** 64n);
    emit({ a: 'skipped' }, undefined);
    emit({ a: 'not finite' }, Number.NaN);
    emit({ a: 'infinite' }, Number.POSITIVE_INFINITY);
    emit({ a: 'negative infinite' }, Number.NEGATIVE_INFINITY);
  },
};

const A_FRAME = {} as Frame;

describe('FrameFamily', () => {
  test('writes HELP, TYPE and one line per sample, escaping help text and label values as the text format says', () => {
    expect(new FrameFamily(spec).render(A_FRAME)).toBe(
      [
        '# HELP test_family_bytes A help text with a \\\\ and a\\nnewline and a "quote".',
        '# TYPE test_family_bytes gauge',
        'test_family_bytes 1',
        'test_family_bytes 2',
        'test_family_bytes{mountpoint="/",fstype="ext4"} 0.5',
        'test_family_bytes{mountpoint="/mnt/with space",fstype="ext4"} 1.5',
        'test_family_bytes{mountpoint="back\\\\slash",fstype="ext4"} 2.5',
        'test_family_bytes{mountpoint="new\\nline",fstype="ext4"} 3.5',
        'test_family_bytes{mountpoint="quote\\"d",fstype="ext4"} 4.5',
        'test_family_bytes{mountpoint="\\\\\\"\\n",fstype="ext4"} 5.5',
        'test_family_bytes{mountpoint="",fstype="ext4"} 6.5',
        'test_family_bytes{mountpoint="ünï",fstype="ext4"} 7.5',
        'test_family_bytes{a="x"} 18446744073709552000',
      ].join('\n'),
    );
  });

  test('leaves out samples without a value and non-finite ones', () => {
    const text = new FrameFamily(spec).render(A_FRAME);
    expect(text).not.toContain('skipped');
    expect(text).not.toContain('finite');
  });

  test('before the first frame only frameless families read; the others write their HELP and TYPE alone', () => {
    let reads = 0;
    const counting = (frameless: boolean): FamilySpec => ({
      name: 'test_reads_total',
      help: 'Reads.',
      type: 'counter',
      frameless,
      read(_f, emit) {
        reads++;
        emit(undefined, 3);
      },
    });
    expect(new FrameFamily(counting(false)).render(undefined)).toBe(
      '# HELP test_reads_total Reads.\n# TYPE test_reads_total counter',
    );
    expect(reads).toBe(0);
    expect(new FrameFamily(counting(true)).render(undefined)).toBe(
      '# HELP test_reads_total Reads.\n# TYPE test_reads_total counter\ntest_reads_total 3',
    );
  });

  test('every render reads the frame afresh', () => {
    let value = 1;
    const family = new FrameFamily({
      name: 'test_value',
      help: 'A value.',
      type: 'untyped',
      read: (_f, emit) => emit(undefined, value),
    });
    expect(family.render(A_FRAME)).toMatch(/\ntest_value 1$/);
    value = 2;
    expect(family.render(A_FRAME)).toMatch(/\ntest_value 2$/);
  });
  test('series that change between renders are written as the new labels say, whatever their position', () => {
    let series: Array<Record<string, string> | undefined> = [];
    const family = new FrameFamily({
      name: 'test_series',
      help: 'Series.',
      type: 'gauge',
      read: (_f, emit) => {
        for (const labels of series) emit(labels, 1);
      },
    });
    const lines = () => family.render(A_FRAME).split('\n').slice(2);
    series = [{ cpu: '0', mode: 'idle' }, { cpu: '0', mode: 'user' }, undefined, { pid: '7' }];
    expect(lines()).toEqual([
      'test_series{cpu="0",mode="idle"} 1',
      'test_series{cpu="0",mode="user"} 1',
      'test_series 1',
      'test_series{pid="7"} 1',
    ]);
    series = [
      { cpu: '0', mode: 'idle' },
      { cpu: '0', mode: 'system' },
      { pid: '7' },
      { tid: '7' },
      { pid: '7', name: 'a"b' },
      {},
    ];
    expect(lines()).toEqual([
      'test_series{cpu="0",mode="idle"} 1',
      'test_series{cpu="0",mode="system"} 1',
      'test_series{pid="7"} 1',
      'test_series{tid="7"} 1',
      'test_series{pid="7",name="a\\"b"} 1',
      'test_series 1',
    ]);
    series = [{ cpu: '0' }];
    expect(lines()).toEqual(['test_series{cpu="0"} 1']);
  });

  test('a value that moves is written anew at its position; a family with none moved writes the same text', () => {
    const values = [1, 2, 3];
    const family = new FrameFamily({
      name: 'test_moves_total',
      help: 'Moves.',
      type: 'counter',
      read: (_f, emit) => {
        for (let i = 0; i < values.length; i++) emit({ cpu: `${i}` }, values[i]);
      },
    });
    const first = family.render(A_FRAME);
    expect(family.render(A_FRAME)).toBe(first);
    values[1] = 2.5;
    expect(family.render(A_FRAME).split('\n').slice(2)).toEqual([
      'test_moves_total{cpu="0"} 1',
      'test_moves_total{cpu="1"} 2.5',
      'test_moves_total{cpu="2"} 3',
    ]);
    values.pop();
    expect(family.render(A_FRAME).split('\n').slice(2)).toEqual([
      'test_moves_total{cpu="0"} 1',
      'test_moves_total{cpu="1"} 2.5',
    ]);
  });
});

describe('familyMaker', () => {
  test('refuses a second family of the same name, naming it', () => {
    const make = familyMaker();
    make(spec);
    make({ ...spec, name: 'test_other' });
    expect(() => make({ ...spec, help: 'Another help.' })).toThrow('two families are named test_family_bytes');
  });
});
