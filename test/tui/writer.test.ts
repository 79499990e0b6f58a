import { describe, expect, it } from 'vitest';
import { LineDiffWriter } from '../../src/tui/writer.js';

function sink() {
  const chunks: string[] = [];
  return { chunks, write: (s: string) => chunks.push(s) };
}

describe('LineDiffWriter', () => {
  it('draws every line the first time, inside synchronized-output brackets', () => {
    const out = sink();
    const w = new LineDiffWriter(out);
    w.draw(['one', 'two']);
    expect(out.chunks).toEqual([
      '\x1b[?2026h\x1b[1;1H\x1b[0m\x1b[2Kone\x1b[0m\x1b[2;1H\x1b[0m\x1b[2Ktwo\x1b[0m\x1b[?2026l',
    ]);
  });

  it('rewrites only the lines that changed, and nothing when none did', () => {
    const out = sink();
    const w = new LineDiffWriter(out);
    w.draw(['a', 'b', 'c']);
    expect(w.draw(['a', 'B', 'c'])).toBeGreaterThan(0);
    expect(out.chunks[1]).toBe('\x1b[?2026h\x1b[2;1H\x1b[0m\x1b[2KB\x1b[0m\x1b[?2026l');
    expect(w.draw(['a', 'B', 'c'])).toBe(0);
    expect(out.chunks).toHaveLength(2);
  });

  it('clears lines that are gone, and repaints everything after invalidate', () => {
    const out = sink();
    const w = new LineDiffWriter(out);
    w.draw(['a', 'b']);
    w.draw(['a']);
    expect(out.chunks[1]).toContain('\x1b[2;1H\x1b[0m\x1b[2K\x1b[0m');
    w.invalidate();
    w.draw(['a']);
    expect(out.chunks.slice(2)).toEqual(['\x1b[2J', '\x1b[?2026h\x1b[1;1H\x1b[0m\x1b[2Ka\x1b[0m\x1b[?2026l']);
  });
});
