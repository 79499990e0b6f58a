import { describe, expect, test } from 'vitest';
import {
  ExpositionWriter,
  escapeHelp,
  escapeLabelValue,
  familyHeader,
  formatSampleValue,
  seriesName,
} from '../../../src/outputs/prometheus/text-format.js';

describe('text format 0.0.4', () => {
  test('HELP escapes backslash and line feed only', () => {
    expect(escapeHelp('plain "text"')).toBe('plain "text"');
    expect(escapeHelp('a\\b\nc')).toBe('a\\\\b\\nc');
  });

  test('label values escape backslash, double quote and line feed', () => {
    expect(escapeLabelValue('/mnt/x y')).toBe('/mnt/x y');
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    // the backslash first: an escaped quote must not have its backslash doubled
    expect(escapeLabelValue('\\"')).toBe('\\\\\\"');
  });

  test('values: NaN and the infinities as Go parses them, others in their shortest round-trip form', () => {
    expect(formatSampleValue(Number.NaN)).toBe('NaN');
    expect(formatSampleValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatSampleValue(Number.NEGATIVE_INFINITY)).toBe('-Inf');
    expect(formatSampleValue(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatSampleValue(1e21)).toBe('1e+21');
    expect(formatSampleValue(-3)).toBe('-3');
  });

  test('series names: labels in the order named, no braces without labels, an undefined value left out', () => {
    expect(seriesName('m', [], [])).toBe('m');
    expect(seriesName('m', ['a'], [undefined])).toBe('m');
    expect(seriesName('m', ['z', 'a'], ['1', 'q"'])).toBe('m{z="1",a="q\\""}');
    expect(seriesName('m', ['z', 'y', 'a'], ['1', undefined, ''])).toBe('m{z="1",a=""}');
  });

  test('families: HELP then TYPE, an empty line between families, a line feed at the end', () => {
    expect(familyHeader('m_total', 'Help\\n', 'counter')).toBe('# HELP m_total Help\\\\n\n# TYPE m_total counter');
    const body = (families: string[]) =>
      new ExpositionWriter().body((out) => {
        for (const family of families) out.family(Buffer.from(family, 'utf8'));
      });
    expect(body(['# HELP a A.\n# TYPE a gauge\na 1', '# HELP b B.\n# TYPE b gauge']).toString('utf8')).toBe(
      '# HELP a A.\n# TYPE a gauge\na 1\n\n# HELP b B.\n# TYPE b gauge\n',
    );
    const unicode = body(['# HELP é É.\nm{l="ünï…"} 1', 'x 2']);
    expect(unicode.toString('utf8')).toBe('# HELP é É.\nm{l="ünï…"} 1\n\nx 2\n');
    expect(unicode.length).toBe(Buffer.byteLength('# HELP é É.\nm{l="ünï…"} 1\n\nx 2\n'));
  });

  test('the writer grows past its first buffer, keeps each body whole, and a family can be taken back', () => {
    const writer = new ExpositionWriter();
    const big = 'x'.repeat(100_000);
    const first = writer.body((out) => {
      out.family(Buffer.from('# HELP a A.'));
      out.ascii(big);
    });
    expect(first.toString('latin1')).toBe(`# HELP a A.${big}\n`);
    const second = writer.body((out) => {
      out.family(Buffer.from('# HELP b B.'));
      const mark = out.length;
      out.family(Buffer.from('# HELP c C.'));
      out.truncate(mark);
      out.ascii(' 1');
    });
    expect(second.toString('latin1')).toBe('# HELP b B. 1\n');
    expect(first.toString('latin1')).toBe(`# HELP a A.${big}\n`);
  });
});
