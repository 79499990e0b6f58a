import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statfsSync } from 'node:fs';

/**
 * The floor of the whole-process comparison: a Node process that reads, once a second, the files
 * the agent's collectors read (the system-wide files, and every process's stat, status and io,
 * plus schedstat where the kernel has no /proc/schedstat) and statfs of every block-device mount,
 * and does nothing with what it read. stat, io and schedstat are re-read through descriptors kept
 * open, as the agent's process collector does.
 *
 * It reads every process's files every second, as the agent did before it learnt to skip the
 * processes that did not run (collectors/process: a single-threaded one's stat, a multi-threaded
 * one's schedstat, the round robin's details): so it stays the floor of reading everything, which
 * the agent now does less of, and docs/performance.md says so beside its figures.
 */

const SYSTEM_FILES = [
  '/proc/stat',
  '/proc/schedstat',
  '/proc/loadavg',
  '/proc/meminfo',
  '/proc/vmstat',
  '/proc/diskstats',
  '/proc/net/dev',
  '/proc/net/snmp',
  '/proc/net/netstat',
  '/proc/net/softnet_stat',
  '/proc/net/sockstat',
  '/proc/sys/fs/file-nr',
  '/proc/sys/kernel/threads-max',
  '/proc/sys/kernel/pid_max',
  '/proc/sys/net/netfilter/nf_conntrack_count',
  '/proc/sys/net/netfilter/nf_conntrack_max',
  '/proc/pressure/cpu',
  '/proc/pressure/memory',
  '/proc/pressure/io',
  '/proc/self/mountinfo',
].filter((path) => existsSync(path));

const KEPT = existsSync('/proc/schedstat') ? ['stat', 'io'] : ['stat', 'io', 'schedstat'];
const buffer = Buffer.alloc(64 * 1024);
const kept = new Map<string, number[]>();

function readKept(fds: number[]): void {
  for (const fd of fds) readSync(fd, buffer, 0, buffer.length, 0);
}

function openKept(pid: string): number[] | undefined {
  const fds: number[] = [];
  try {
    for (const file of KEPT) fds.push(openSync(`/proc/${pid}/${file}`, 'r'));
    return fds;
  } catch {
    for (const fd of fds) closeSync(fd);
    return undefined; // gone, or its io is not ours to read
  }
}

function readProcesses(): void {
  const seen = new Set<string>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    seen.add(pid);
    try {
      let fds = kept.get(pid);
      if (fds === undefined) {
        fds = openKept(pid);
        if (fds !== undefined) kept.set(pid, fds);
      }
      if (fds !== undefined) readKept(fds);
      readFileSync(`/proc/${pid}/status`);
    } catch {
      // the process ended during the second
    }
  }
  for (const [pid, fds] of kept) {
    if (seen.has(pid)) continue;
    for (const fd of fds) closeSync(fd);
    kept.delete(pid);
  }
}

function blockMountPoints(mountinfo: string): string[] {
  const points = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (right?.split(' ')[1]?.startsWith('/dev/')) {
      points.add(
        left
          .split(' ')[4]
          .replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
      );
    }
  }
  return [...points];
}

function readAll(): void {
  let mountinfo = '';
  for (const path of SYSTEM_FILES) {
    const text = readFileSync(path, 'latin1');
    if (path === '/proc/self/mountinfo') mountinfo = text;
  }
  for (const point of blockMountPoints(mountinfo)) {
    try {
      statfsSync(point);
    } catch {
      // unmounted since mountinfo was read
    }
  }
  readProcesses();
}

const timer = setInterval(readAll, 1000);
readAll();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => clearInterval(timer));
