import { describe, expect, test } from 'vitest';
import {
  encodeExposition,
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

  test('series names: labels in insertion order, no braces without labels', () => {
    expect(seriesName('m', undefined)).toBe('m');
    expect(seriesName('m', {})).toBe('m');
    expect(seriesName('m', { z: '1', a: 'q"' })).toBe('m{z="1",a="q\\""}');
  });

  test('families: HELP then TYPE, an empty line between families, a line feed at the end', () => {
    expect(familyHeader('m_total', 'Help\\n', 'counter')).toBe('# HELP m_total Help\\\\n\n# TYPE m_total counter');
    expect(encodeExposition(['# HELP a A.\n# TYPE a gauge\na 1', '# HELP b B.\n# TYPE b gauge']).toString('utf8')).toBe(
      '# HELP a A.\n# TYPE a gauge\na 1\n\n# HELP b B.\n# TYPE b gauge\n',
    );
    const unicode = encodeExposition(['# HELP é É.\nm{l="ünï…"} 1', 'x 2']);
    expect(unicode.toString('utf8')).toBe('# HELP é É.\nm{l="ünï…"} 1\n\nx 2\n');
    expect(unicode.length).toBe(Buffer.byteLength('# HELP é É.\nm{l="ünï…"} 1\n\nx 2\n'));
  });
});
