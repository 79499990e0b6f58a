import { readdirSync, readFileSync } from 'node:fs';
import { USER_HZ } from '../../src/derive/units.js';

/** The CPU fields of /proc/<pid>/stat (or task/<tid>/stat), in clock ticks, and its minor faults. */
export interface StatTimes {
  ppid: number;
  /**
   * Page faults served without I/O, every thread's: mostly the first touch of a page the process
   * was given (or given back) by the kernel. See minorFaults.
   */
  minflt: number;
  utime: number;
  stime: number;
  /** Time of children already reaped by this process: a tree's CPU must count them too. */
  cutime: number;
  cstime: number;
}

/** Parses the fields after the comm, which may itself hold spaces and ')'. */
export function parseStatTimes(text: string): StatTimes {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`/proc stat: no ')' closing the comm in ${JSON.stringify(text.slice(0, 60))}`);
  const f = text.slice(close + 2).split(' ');
  const field = (i: number) => {
    const n = Number(f[i]);
    if (!Number.isFinite(n)) throw new Error(`/proc stat: field ${i + 3} is ${JSON.stringify(f[i])}, not a number`);
    return n;
  };
  return {
    ppid: field(1),
    minflt: field(7),
    utime: field(11),
    stime: field(12),
    cutime: field(13),
    cstime: field(14),
  };
}

/** A `Key:   123 kB` line of /proc/<pid>/status in KiB; undefined when the process has none (a kernel thread). */
export function statusKiB(text: string, key: string): number | undefined {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
  return m === null ? undefined : Number(m[1]);
}

function readStat(pid: number | string): StatTimes | undefined {
  try {
    return parseStatTimes(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone between readdir and read
  }
}

/** The stat of a process being measured, which must still be there. */
function liveStat(pid: number): StatTimes {
  const stat = readStat(pid);
  if (stat === undefined) throw new Error(`process ${pid} is gone`);
  return stat;
}

/**
 * CPU milliseconds of a process and every descendant, all threads: the root's own and reaped
 * children's time plus each live descendant's own time (its reaped children count in it once waited).
 */
export function treeCpuMs(root: number): number {
  const own = liveStat(root);
  const children = new Map<number, { pid: number; times: StatTimes }[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const times = readStat(name);
    if (times === undefined) continue;
    const list = children.get(times.ppid) ?? [];
    list.push({ pid: Number(name), times });
    children.set(times.ppid, list);
  }
  let ticks = own.utime + own.stime + own.cutime + own.cstime;
  const stack = [...(children.get(root) ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    ticks += next.times.utime + next.times.stime + next.times.cutime + next.times.cstime;
    stack.push(...(children.get(next.pid) ?? []));
  }
  return (ticks / USER_HZ) * 1000;
}

/**
 * Minor page faults of a process so far, every thread's. V8 gives its young generation's idle half
 * back to the kernel after every scavenge while the process allocates less than about 1 MB of heap a
 * second, and then faults every page of it in again: at about 100 processes, a few faults a second
 * for an agent above that rate, 200 and more below it, each costing CPU (docs/performance.md, "V8's
 * young generation below 1 MB a second"). A bigger host allocates more, and faults more either way.
 */
export function minorFaults(pid: number): number {
  return liveStat(pid).minflt;
}

/** Peak and current resident memory of a process in MB, from its status. */
export function memoryMb(pid: number): { peak: number; current: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { peak: (statusKiB(text, 'VmHWM') ?? 0) / 1024, current: (statusKiB(text, 'VmRSS') ?? 0) / 1024 };
}
