import type { SourceLog } from './procfs.js';

export interface FactsCacheOptions {
  /** How long sysfs facts are trusted before they are read again (ms). */
  factsTtlMs?: number;
  /** Monotonic clock in ms; injectable for tests. */
  now?: () => number;
}

/**
 * Per-device facts from sysfs (disk kind, link speed…) that rarely change: read for every device,
 * then trusted for a while (60 s by default), and read again at once when a device appears.
 */
export class FactsCache<F> {
  private facts = new Map<string, F>();
  private readAt = Number.NEGATIVE_INFINITY;
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(
    private readonly readFacts: (log: SourceLog, name: string) => F,
    opts: FactsCacheOptions = {},
  ) {
    this.ttl = opts.factsTtlMs ?? 60_000;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Facts of every device named, re-read for all of them when stale or when one is new. */
  of(log: SourceLog, names: readonly string[]): Map<string, F> {
    const t = this.now();
    if (t - this.readAt >= this.ttl || names.some((name) => !this.facts.has(name))) {
      const fresh = new Map<string, F>();
      for (const name of names) fresh.set(name, this.readFacts(log, name));
      this.facts = fresh;
      this.readAt = t;
    }
    return this.facts;
  }
}
