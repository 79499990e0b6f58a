import { describe, expect, it } from 'vitest';
import { formatSpan } from '../../src/text/span.js';

describe('formatSpan', () => {
  it('states long windows in their two largest units', () => {
    expect(formatSpan(604_000)).toBe('10m4s');
    expect(formatSpan(600_000)).toBe('10m');
    expect(formatSpan(3_720_000)).toBe('1h2m');
    expect(formatSpan(3_600_000)).toBe('1h');
    expect(formatSpan(93_600_000)).toBe('1d2h');
  });

  it('under a minute reads as a checklist duration', () => {
    expect(formatSpan(10_000)).toBe('10s');
    expect(formatSpan(500)).toBe('500ms');
    expect(formatSpan(0)).toBe('0s');
  });
});
