import { describe, expect, it } from 'vitest';
import { MessageBudget } from '../../src/feed/rate-limit.js';

describe('MessageBudget', () => {
  it('allows a burst at once, then refuses until time refills it', () => {
    const budget = new MessageBudget(10, 20, 0);
    const first = Array.from({ length: 25 }, () => budget.take(0));
    expect(first.filter(Boolean)).toHaveLength(20);
    expect(first.slice(20)).toEqual([false, false, false, false, false]);
    // 10 per second: one message every 100 ms.
    expect(budget.take(50)).toBe(false);
    expect(budget.take(100)).toBe(true);
    expect(budget.take(100)).toBe(false);
  });

  it('never holds more than the burst, however long the client was quiet', () => {
    const budget = new MessageBudget(10, 3, 0);
    const later = Array.from({ length: 5 }, () => budget.take(3_600_000));
    expect(later).toEqual([true, true, true, false, false]);
  });

  it('lets a client at the rate go on forever', () => {
    const budget = new MessageBudget(10, 2, 0);
    for (let t = 0; t < 60_000; t += 100) expect(budget.take(t)).toBe(true);
  });
});
