import { describe, expect, test } from 'vitest';
import type { Frame } from '../../../src/model/frame.js';
import { type FamilySpec, FrameFamily, familyMaker } from '../../../src/outputs/prometheus/family.js';
import { ExpositionWriter } from '../../../src/outputs/prometheus/text-format.js';

/** Label values a mount point or a process name can carry, escaping included. */
const ODD_VALUES = ['/', '/mnt/with space', 'back\\slash', 'new\nline', 'quote"d', '\\"\n', '', 'ünï'];

const spec: FamilySpec = {
  name: 'test_family_bytes',
  help: 'A help text with a \\ and a\nnewline and a "quote".',
  type: 'gauge',
  labels: ['mountpoint', 'fstype', 'a'],
  read(_f, emit) {
    emit(1);
    emit(2, undefined, undefined, undefined);
    ODD_VALUES.forEach((v, i) => {
      emit(i + 0.5, v, 'ext4');
    });
    emit(2n ** 64n, undefined, undefined, 'x');
    emit(undefined, undefined, undefined, 'skipped');
    emit(Number.NaN, undefined, undefined, 'not finite');
    emit(Number.POSITIVE_INFINITY, undefined, undefined, 'infinite');
    emit(Number.NEGATIVE_INFINITY, undefined, undefined, 'negative infinite');
  },
};

const A_FRAME = {} as Frame;

/** The family's text as one render writes it into a body, without the body's final line feed. */
function render(family: FrameFamily, frame: Frame | undefined): string {
  return new ExpositionWriter()
    .body((out) => family.writeTo(out, frame))
    .toString('utf8')
    .slice(0, -1);
}

describe('FrameFamily', () => {
  test('writes HELP, TYPE and one line per sample, escaping help text and label values as the text format says', () => {
    expect(render(new FrameFamily(spec), A_FRAME)).toBe(
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
    const text = render(new FrameFamily(spec), A_FRAME);
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
        emit(3);
      },
    });
    expect(render(new FrameFamily(counting(false)), undefined)).toBe(
      '# HELP test_reads_total Reads.\n# TYPE test_reads_total counter',
    );
    expect(reads).toBe(0);
    expect(render(new FrameFamily(counting(true)), undefined)).toBe(
      '# HELP test_reads_total Reads.\n# TYPE test_reads_total counter\ntest_reads_total 3',
    );
  });

  test('every render reads the frame afresh', () => {
    let value = 1;
    const family = new FrameFamily({
      name: 'test_value',
      help: 'A value.',
      type: 'untyped',
      read: (_f, emit) => emit(value),
    });
    expect(render(family, A_FRAME)).toMatch(/\ntest_value 1$/);
    value = 2;
    expect(render(family, A_FRAME)).toMatch(/\ntest_value 2$/);
  });
  test('series that change between renders are written as the new labels say, whatever their position', () => {
    const labels = ['cpu', 'mode', 'pid', 'tid', 'name'];
    let series: Array<Record<string, string> | undefined> = [];
    const family = new FrameFamily({
      name: 'test_series',
      help: 'Series.',
      type: 'gauge',
      labels,
      read: (_f, emit) => {
        for (const values of series) emit(1, ...labels.map((label) => values?.[label]));
      },
    });
    const lines = () => render(family, A_FRAME).split('\n').slice(2);
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
      labels: ['cpu'],
      read: (_f, emit) => {
        for (let i = 0; i < values.length; i++) emit(values[i], `${i}`);
      },
    });
    const first = render(family, A_FRAME);
    expect(render(family, A_FRAME)).toBe(first);
    values[1] = 2.5;
    expect(render(family, A_FRAME).split('\n').slice(2)).toEqual([
      'test_moves_total{cpu="0"} 1',
      'test_moves_total{cpu="1"} 2.5',
      'test_moves_total{cpu="2"} 3',
    ]);
    values.pop();
    expect(render(family, A_FRAME).split('\n').slice(2)).toEqual([
      'test_moves_total{cpu="0"} 1',
      'test_moves_total{cpu="1"} 2.5',
    ]);
  });

  test('a family that leaves itself out when empty writes nothing without samples, HELP and TYPE included', () => {
    let values: number[] = [];
    const family = new FrameFamily({
      name: 'test_sometimes',
      help: 'Sometimes.',
      type: 'gauge',
      omitEmpty: true,
      read: (_f, emit) => {
        for (const v of values) emit(v);
      },
    });
    const body = () =>
      new ExpositionWriter()
        .body((out) => {
          new FrameFamily(spec).writeTo(out, undefined);
          family.writeTo(out, A_FRAME);
        })
        .toString('utf8');
    expect(body()).toBe(`${render(new FrameFamily(spec), undefined)}\n`);
    values = [Number.NaN];
    expect(body()).toBe(`${render(new FrameFamily(spec), undefined)}\n`);
    values = [4];
    expect(body()).toBe(
      `${render(new FrameFamily(spec), undefined)}\n\n# HELP test_sometimes Sometimes.\n# TYPE test_sometimes gauge\ntest_sometimes 4\n`,
    );
  });
});

describe('FrameFamily labels', () => {
  test('twelve labels are written (node_os_info has as many); a family of more is refused when made, naming it', () => {
    const labels = Array.from({ length: 12 }, (_, i) => `l${i}`);
    const family = new FrameFamily({
      name: 'test_wide',
      help: 'Wide.',
      type: 'gauge',
      labels,
      read: (_f, emit) => emit(1, ...labels.map((l) => l.toUpperCase())),
    });
    expect(render(family, A_FRAME).split('\n')[2]).toBe(
      `test_wide{${labels.map((l) => `${l}="${l.toUpperCase()}"`).join(',')}} 1`,
    );
    expect(
      () =>
        new FrameFamily({ name: 'test_wider', help: 'Wider.', type: 'gauge', labels: [...labels, 'l12'], read() {} }),
    ).toThrow('test_wider');
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
