import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Static facts about the host that change rarely: gathered outside the tick, never per tick. */
export interface Inventory {
  os?: string;
  cpuModel?: string;
}

const REFRESH_MS = 10 * 60 * 1000;
/** A probe still running after this is killed; the frames keep the last answer. */
const PROBE_TIMEOUT_MS = 60_000;
/** The probe prints two short strings; anything longer is not its answer. */
const PROBE_MAX_BYTES = 64 * 1024;

/** The fields of systeminformation's `osInfo()` and `cpu()` that the inventory keeps. */
export interface InventorySource {
  os: { distro?: string; release?: string };
  cpu: { manufacturer?: string; brand?: string };
}

/** "Debian GNU/Linux 12", "Intel Xeon Gold 6248": the parts systeminformation knows, joined. */
export function describeInventory({ os, cpu }: InventorySource): Inventory {
  const join = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(' ') || undefined;
  return { os: join(os.distro, os.release), cpuModel: join(cpu.manufacturer, cpu.brand) };
}

/** The probe's answer: a JSON object with string `os` and `cpuModel`, either absent; else undefined. */
export function parseInventory(text: string): Inventory | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { os, cpuModel } = value as Record<string, unknown>;
  const inventory: Inventory = {};
  if (typeof os === 'string' && os !== '') inventory.os = os;
  if (typeof cpuModel === 'string' && cpuModel !== '') inventory.cpuModel = cpuModel;
  return inventory;
}

/** The command that prints the inventory as JSON: the built probe, run by this process's node. */
export interface InventoryProbe {
  command: string;
  args: string[];
}

const BUILT_PROBE: InventoryProbe = {
  command: process.execPath,
  args: [fileURLToPath(new URL('./inventory-probe.js', import.meta.url))],
};

/**
 * Keeps a static inventory from systeminformation, asked once at start and then every ten minutes,
 * in the background; ticks only read the last answer. Its functions spawn processes (a 1 Hz loop
 * over them cost ~47 % of a core here), and once imported its code and data stay in the heap for
 * good (about 3 MB): so it runs in a short-lived child process (`inventory-probe.ts`), whose memory
 * is returned when it exits.
 */
export class InventoryCache {
  private value: Inventory | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly probe: InventoryProbe = BUILT_PROBE) {}

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
    this.abort.abort();
  }

  /** Resolves once the probe has answered or failed; the value is kept only when it answered. */
  refresh(): Promise<void> {
    return new Promise((done) => {
      const child = execFile(
        this.probe.command,
        this.probe.args,
        { timeout: PROBE_TIMEOUT_MS, maxBuffer: PROBE_MAX_BYTES, signal: this.abort.signal, killSignal: 'SIGKILL' },
        (err, stdout) => {
          // Inventory is decoration: a failed probe leaves the frames without it, or with the last answer.
          const answer = err ? undefined : parseInventory(stdout);
          if (answer !== undefined) this.value = answer;
          done();
        },
      );
      child.stdin?.end();
    });
  }
}
