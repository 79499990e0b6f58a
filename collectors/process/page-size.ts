const PAGE_SIZES = [4096, 16384, 65536];

/**
 * Bytes per page, for stat's rss: given, or learnt once from a process's status VmRSS against its
 * stat rss (the nearest of the page sizes Linux uses), else 4096.
 */
export class PageSize {
  bytes: number;
  private known: boolean;

  constructor(given?: number) {
    this.bytes = given ?? 4096;
    this.known = given !== undefined;
  }

  /** Learns from one process; too small an RSS (under 1024 pages) is left out, its ratio being too coarse. */
  learn(rssPages: number, vmRssKiB: number | undefined): void {
    if (this.known || vmRssKiB === undefined || rssPages < 1024) return;
    const ratio = (vmRssKiB * 1024) / rssPages;
    this.bytes = PAGE_SIZES.reduce((best, p) => (Math.abs(p - ratio) < Math.abs(best - ratio) ? p : best));
    this.known = true;
  }
}
