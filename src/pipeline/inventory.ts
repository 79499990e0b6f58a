/** Static facts about the host that change rarely: gathered outside the tick, never per tick. */
export interface Inventory {
  os?: string;
  cpuModel?: string;
}

const REFRESH_MS = 10 * 60 * 1000;

/**
 * Keeps a static inventory from systeminformation. Its functions spawn processes (a 1 Hz loop over
 * them cost ~47 % of a core here), so it is loaded lazily, asked once at start and then every ten
 * minutes, in the background; ticks only read the last answer.
 */
export class InventoryCache {
  private value: Inventory | undefined;
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  get(): Inventory | undefined {
    return this.value;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      const si = await import('systeminformation');
      const [os, cpu] = await Promise.all([si.osInfo(), si.cpu()]);
      this.value = {
        os: [os.distro, os.release].filter(Boolean).join(' ') || undefined,
        cpuModel: [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ') || undefined,
      };
    } catch {
      // Inventory is decoration: frames simply go without it.
    }
  }
}
