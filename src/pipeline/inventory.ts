import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Static facts about the host that change rarely: gathered outside the tick, never per tick. */
export interface Inventory {
  os?: string;
  cpuModel?: string;
}

/** How often the files the answer comes from are looked at (a stat each), and a failed probe tried again. */
const CHECK_MS = 10 * 60 * 1000;
/**
 * Where systeminformation reads the distribution and its release. The CPU model cannot change while
 * the host runs, so these are the only files whose change can change the answer.
 */
const OS_RELEASE_FILES: readonly string[] = ['/etc/os-release', '/usr/lib/os-release', '/etc/lsb-release'];
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
 * Keeps a static inventory from systeminformation, asked once at start in the background; ticks only
 * read the last answer. Its functions spawn processes (a 1 Hz loop over them cost ~47 % of a core
 * here), and once imported its code and data stay in the heap for good (about 3 MB): so it runs in a
 * short-lived child process (`inventory-probe.ts`), whose memory is returned when it exits. That
 * process costs about 0.4 s of CPU (node starting, systeminformation and the commands it runs), so
 * it is run again only when it can answer differently: every ten minutes the OS release files are
 * looked at, and the probe runs again when one of them changed (an upgrade) or the last probe
 * failed.
 */
export class InventoryCache {
  private value: Inventory | undefined;
  private answered = false;
  /** The OS release files' identity and times when the last probe started. */
  private probedFiles = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly probe: InventoryProbe = BUILT_PROBE,
    private readonly watched: readonly string[] = OS_RELEASE_FILES,
    private readonly checkMs: number = CHECK_MS,
  ) {}

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.check(), this.checkMs);
    this.timer.unref();
  }

  /** Probes again when the last probe failed or an OS release file changed since it ran. */
  check(): Promise<void> {
    if (this.answered && filesIdentity(this.watched) === this.probedFiles) return Promise.resolve();
    return this.refresh();
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
    this.probedFiles = filesIdentity(this.watched);
    return new Promise((done) => {
      const child = execFile(
        this.probe.command,
        this.probe.args,
        { timeout: PROBE_TIMEOUT_MS, maxBuffer: PROBE_MAX_BYTES, signal: this.abort.signal, killSignal: 'SIGKILL' },
        (err, stdout) => {
          // Inventory is decoration: a failed probe leaves the frames without it, or with the last answer.
          const answer = err ? undefined : parseInventory(stdout);
          this.answered = answer !== undefined;
          if (answer !== undefined) this.value = answer;
          done();
        },
      );
      child.stdin?.end();
    });
  }
}

/** Each file's inode, size and modification time (or its absence), as one string to compare. */
function filesIdentity(paths: readonly string[]): string {
  let identity = '';
  for (const path of paths) {
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(path, { throwIfNoEntry: false });
    } catch (err) {
      identity += `${path}:${(err as NodeJS.ErrnoException).code};`;
      continue;
    }
    identity += stat === undefined ? `${path}:absent;` : `${path}:${stat.ino}:${stat.size}:${stat.mtimeMs};`;
  }
  return identity;
}
