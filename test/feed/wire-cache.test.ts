import { describe, expect, it } from 'vitest';
import { frameMessage, MAX_CACHED_SECTION_SETS, sectionSet } from '../../src/feed/frame-messages.js';
import { FRAME_SECTIONS } from '../../src/feed/protocol.js';
import { frame } from './helpers.js';

describe('wire messages kept per frame', () => {
  it('keeps the full message and a few narrowed sets; past them, serialises each time', () => {
    const f = frame(1, 20);
    const full = sectionSet(FRAME_SECTIONS);
    expect(frameMessage(f, full)).toBe(frameMessage(f, full));
    const sets = FRAME_SECTIONS.slice(0, MAX_CACHED_SECTION_SETS + 1).map((s) => sectionSet([s]));
    const kept = sets.slice(0, MAX_CACHED_SECTION_SETS);
    for (const set of kept) frameMessage(f, set);
    for (const set of kept) expect(frameMessage(f, set)).toBe(frameMessage(f, set));
    const extra = sets[MAX_CACHED_SECTION_SETS];
    const first = frameMessage(f, extra);
    const second = frameMessage(f, extra);
    expect(second).not.toBe(first);
    expect(second.equals(first)).toBe(true);
  });
});
