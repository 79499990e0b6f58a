import type { ProcFs } from '../procfs.js';

const MISSES_TO_GIVE_UP = 3;

/**
 * What the kernel offers of schedstat: the host file /proc/schedstat (which counts every task, so
 * that no thread needs reading), and the per-pid files. Per-pid schedstat is given up on only when it
 * never once existed (a kernel without CONFIG_SCHED_INFO): processes exiting between the stat and
 * schedstat reads must not switch it off.
 */
export class SchedstatProbe {
  /** Whether per-pid schedstat is still read. */
  perPid = true;
  private host: boolean | undefined;
  private misses = 0;
  private seen = false;

  /** Whether the host has /proc/schedstat: decided at the first call. */
  hostHasSchedstat(fs: ProcFs): boolean {
    this.host ??= fs.readOnce('proc/schedstat', true).ok;
    return this.host;
  }

  /** A per-pid schedstat was not there (ENOENT). */
  missed(): void {
    this.misses++;
  }

  /** A per-pid schedstat was read. */
  found(): void {
    this.seen = true;
  }

  /** After a tick's reads: gives per-pid schedstat up when it never existed; true on the tick it does. */
  settle(): boolean {
    if (!this.perPid || this.seen || this.misses < MISSES_TO_GIVE_UP) return false;
    this.perPid = false;
    return true;
  }
}
