import { machine } from 'node:os';
import { parseOsRelease } from '../../collectors/os-release.js';
import type { ProcFs } from '../../collectors/procfs.js';
import type { HostIdentity } from '../model/counters.js';

/** What the engine says of the host in every frame besides its metrics; read once, as it does not change. */
export interface HostFacts {
  hostname: string;
  /** Kernel release, as `uname -r` prints it. */
  kernel: string;
  /** Epoch ms of the boot; undefined when /proc/uptime is unreadable. */
  bootMs?: number;
  identity: HostIdentity;
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

/** os-release(5) says to read /etc/os-release and fall back to /usr/lib/os-release. */
const OS_RELEASE_FILES = ['etc/os-release', 'usr/lib/os-release'];

function readOsRelease(fs: ProcFs): ReadonlyMap<string, string> {
  for (const rel of OS_RELEASE_FILES) {
    const read = fs.readOnce(rel);
    if (read.ok) return parseOsRelease(read.text);
  }
  return new Map();
}

/**
 * uname's fields from the root's /proc/sys/kernel, so that a fixture tree names its own kernel.
 * The machine comes from kernel.arch (Linux 6.1 and later); before it only the live root can say,
 * through Node's own uname call.
 */
function readIdentity(fs: ProcFs, hostname: string, release: string): HostIdentity {
  const kernel = (name: string) => firstLine(fs, `proc/sys/kernel/${name}`);
  return {
    uname: {
      sysname: kernel('ostype') ?? UNKNOWN_HOST_FACT,
      nodename: hostname,
      release,
      version: kernel('version') ?? UNKNOWN_HOST_FACT,
      machine: kernel('arch') ?? (fs.root === '/' ? machine() : UNKNOWN_HOST_FACT),
      domainname: kernel('domainname') ?? UNKNOWN_HOST_FACT,
    },
    osRelease: readOsRelease(fs),
  };
}

/**
 * Hostname, kernel release, boot time and the kernel's and distribution's names from the root's
 * /proc and os-release, so that a fixture tree describes its own host just as "/" describes this one.
 */
export function readHostFacts(fs: ProcFs, nowMs: number): HostFacts {
  const hostname = firstLine(fs, 'proc/sys/kernel/hostname') ?? UNKNOWN_HOST_FACT;
  const kernel = firstLine(fs, 'proc/sys/kernel/osrelease') ?? UNKNOWN_HOST_FACT;
  const facts: HostFacts = { hostname, kernel, identity: readIdentity(fs, hostname, kernel) };
  const uptime = firstLine(fs, 'proc/uptime');
  const seconds = uptime === undefined ? undefined : parseUptimeSeconds(uptime);
  if (seconds !== undefined) facts.bootMs = nowMs - seconds * 1000;
  return facts;
}
