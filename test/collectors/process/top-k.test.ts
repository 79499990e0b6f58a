import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopK } from '../../../collectors/process/top-k.js';

interface Item {
  id: number;
  score: number;
}
const byScore = (a: Item, b: Item) => b.score - a.score;
const item = (id: number, score: number): Item => ({ id, score });

function topOf(k: number, items: Item[]): number[] {
  const top = new TopK<Item>(k, byScore);
  for (const i of items) top.offer(i);
  return top.items.map((i) => i.id);
}

describe('TopK', () => {
  it.each([
    ['keeps the k best, best first', 2, [item(1, 5), item(2, 9), item(3, 1), item(4, 7)], [2, 4]],
    ['keeps fewer when fewer are offered', 5, [item(1, 5), item(2, 9)], [2, 1]],
    ['keeps nothing for k = 0', 0, [item(1, 5)], []],
    ['keeps equal items in the order offered', 3, [item(1, 5), item(2, 5), item(3, 5)], [1, 2, 3]],
    ['does not take an item equal to the last when full', 2, [item(1, 5), item(2, 5), item(3, 5)], [1, 2]],
    ['lets a better item push the last out', 2, [item(1, 5), item(2, 4), item(3, 6)], [3, 1]],
  ])('%s', (_what, k, items, ids) => {
    expect(topOf(k, items)).toEqual(ids);
  });

  it('keeps what a stable sort and a slice would, for any input', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 })), fc.integer({ min: 0, max: 10 }), (scores, k) => {
        const items = scores.map((score, id) => item(id, score));
        const expected = [...items]
          .sort(byScore)
          .slice(0, k)
          .map((i) => i.id);
        expect(topOf(k, items)).toEqual(expected);
      }),
    );
  });
});
