import { describe, expect, it } from 'vitest';
import { aboveFloor, FLOOR_HTML } from '../../bench/web-floor.js';

describe('aboveFloor', () => {
  it('gives what the page costs above the floor, step by step, to the hundredth of a ms', () => {
    const page = { total: 13.4, script: 3.1, layout: 3.3, tasks: 3.35 };
    const floor = { total: 4.9, script: 0.4, layout: 0.05, tasks: 2.1 };
    expect(aboveFloor(page, floor)).toEqual({ total: 8.5, script: 2.7, layout: 3.25, tasks: 1.25 });
  });

  it('counts a step the floor never ran in full, and shows a step where the floor cost more as negative', () => {
    expect(aboveFloor({ total: 5, canvas: 0.4, gc: 0.1 }, { total: 4, gc: 0.3 })).toEqual({
      total: 1,
      canvas: 0.4,
      gc: -0.2,
    });
  });
});

describe('the floor page', () => {
  it('opens the feed with the page subscription and subprotocol and changes one text in an animation frame', () => {
    expect(FLOOR_HTML).toContain('/feed?backfill=300');
    expect(FLOOR_HTML).toContain('["usewatch.feed"]');
    expect(FLOOR_HTML).toContain('requestAnimationFrame');
    expect(FLOOR_HTML).toContain('<p id="clock">-</p>');
  });
});
