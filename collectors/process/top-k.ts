/**
 * Keeps the k first items of an order in one pass, by insertion into a short sorted array: k is
 * small (tens), the input is not (every process). Used by the collector to choose candidates and by
 * the deriver (src/derive/processes.ts) to rank what a frame lists.
 */
export class TopK<T> {
  /** The items kept, first first. */
  readonly items: T[] = [];

  /**
   * @param compare negative when a comes before b; items that compare equal keep the order they were
   *   offered in, and one equal to the last kept when k are kept is not taken.
   */
  constructor(
    private readonly k: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  offer(item: T): void {
    if (this.k <= 0) return;
    const items = this.items;
    const n = items.length;
    if (n === this.k && this.compare(item, items[n - 1]) >= 0) return;
    let i = n === this.k ? n - 1 : n;
    while (i > 0 && this.compare(item, items[i - 1]) < 0) {
      items[i] = items[i - 1];
      i--;
    }
    items[i] = item;
  }
}
