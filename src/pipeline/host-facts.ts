import type { ProcFs } from '../../collectors/procfs.js';

/** What the engine says of the host in every frame besides its metrics; read once, as it does not change. */
export interface HostFacts {
  hostname: string;
  /** Kernel release, as `uname -r` prints it. */
  kernel: string;
  /** Epoch ms of the boot; undefined when /proc/uptime is unreadable. */
  bootMs?: number;
}

/** Shown for a fact whose file is absent or empty (a trimmed fixture tree, a restricted /proc). */
export const UNKNOWN_HOST_FACT = 'unknown';

/** Seconds since boot: the first field of /proc/uptime ("350735.47 234388.90"). */
export function parseUptimeSeconds(text: string): number | undefined {
  const first = text.trim().split(/\s+/, 1)[0];
  if (first === '') return undefined;
  const seconds = Number(first);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function firstLine(fs: ProcFs, rel: string): string | undefined {
  const read = fs.readOnce(rel);
  if (!read.ok) return undefined;
  const line = read.text.split('\n', 1)[0].trim();
  return line === '' ? undefined : line;
}

/**
 * Hostname, kernel release and boot time from the root's /proc, so that a fixture tree describes
 * its own host just as "/" describes this one.
 */
export function readHostFacts(fs: ProcFs, nowMs: number): HostFacts {
  const facts: HostFacts = {
    hostname: firstLine(fs, 'proc/sys/kernel/hostname') ?? UNKNOWN_HOST_FACT,
    kernel: firstLine(fs, 'proc/sys/kernel/osrelease') ?? UNKNOWN_HOST_FACT,
  };
  const uptime = firstLine(fs, 'proc/uptime');
  const seconds = uptime === undefined ? undefined : parseUptimeSeconds(uptime);
  if (seconds !== undefined) facts.bootMs = nowMs - seconds * 1000;
  return facts;
}
