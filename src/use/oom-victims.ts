import type { KernelEvent, OomVictim } from '../model/frame.js';
import { sanitize } from '../text/sanitize.js';
import { type OomKillRecord, parseOomKillRecord } from './oom-record.js';

/** The two records of one kill are logged together; the same pid later is another process. */
const SAME_KILL_MS = 5_000;

export interface OomVictimsOptions {
  /** Victims kept at most (an OOM storm kills hundreds): the newest stay. */
  maxCount?: number;
  /** A victim older than this is forgotten. */
  maxAgeMs?: number;
}

/** True when `memcg` is the cgroup `id` or below it. */
function within(memcg: string, id: string): boolean {
  return memcg === id || id === '/' || memcg.startsWith(`${id}/`);
}

function victimOf(r: OomKillRecord): OomVictim {
  const v: OomVictim = { pid: r.pid, name: r.name, ts: r.ts };
  if (r.rssKb !== undefined) v.rssBytes = r.rssKb * 1024;
  return v;
}

/**
 * The OOM killer's recent victims, read from the kernel log's OOM records: what an OOM finding
 * names, since its victims are gone from the process list. Bounded in count and age.
 */
export class OomVictims {
  private readonly kept: OomKillRecord[] = [];
  private readonly maxCount: number;
  private readonly maxAgeMs: number;

  constructor(opts: OomVictimsOptions = {}) {
    this.maxCount = opts.maxCount ?? 32;
    this.maxAgeMs = opts.maxAgeMs ?? 15 * 60_000;
  }

  get size(): number {
    return this.kept.length;
  }

  /**
   * Takes the kills a tick's kernel events name; the summary and "Killed process" lines of one kill
   * merge. The kernel rate-limits the summary (ten in five seconds), so in a storm of kills most have
   * only the "Killed process" line: `cgroupOf` places those by the pid's cgroup when it was known.
   */
  add(events: readonly KernelEvent[], cgroupOf: (pid: number) => string | undefined): void {
    for (const e of events) {
      if (e.kind !== 'oom') continue;
      const record = parseOomKillRecord(e.text, e.ts);
      if (record === undefined) continue;
      record.name = sanitize(record.name);
      const same = this.kept.find((k) => k.pid === record.pid && Math.abs(k.ts - record.ts) <= SAME_KILL_MS);
      if (same === undefined) this.kept.push(record);
      else {
        same.memcg ??= record.memcg;
        same.oomMemcg ??= record.oomMemcg;
        same.rssKb ??= record.rssKb;
      }
    }
    for (const r of this.kept) r.memcg ??= cgroupOf(r.pid);
    this.kept.sort((a, b) => a.ts - b.ts);
    if (this.kept.length > this.maxCount) this.kept.splice(0, this.kept.length - this.maxCount);
  }

  /** Forgets the victims older than the age bound. */
  expire(now: number): void {
    let old = 0;
    while (old < this.kept.length && now - this.kept[old].ts > this.maxAgeMs) old++;
    if (old > 0) this.kept.splice(0, old);
  }

  /**
   * The victims logged at or after `from`, oldest first; with `cgroup`, only those that ran in
   * that cgroup or below it (a record without the cgroup, from a kernel before 4.19, is not placed).
   */
  since(from: number, cgroup?: string): OomVictim[] {
    const out: OomVictim[] = [];
    for (const r of this.kept) {
      if (r.ts < from) continue;
      if (cgroup !== undefined && (r.memcg === undefined || !within(r.memcg, cgroup))) continue;
      out.push(victimOf(r));
    }
    return out;
  }
}
