import type { SourceLog } from './procfs.js';

/**
 * A file whose absence is a normal, lasting state: PSI irq before 6.1, EDAC on a VM, conntrack
 * without its module, pids limits at the root cgroup. Its absence is reported once (not on every
 * tick), and it is then re-probed only every `reprobeEvery` reads, so an absent optional file does
 * not cost a failing open() per tick. Denied and failed reads are reported every time.
 */
export class OptionalSource {
  private reads = 0;
  private skipUntil = 0;
  private absentReported = false;

  constructor(
    readonly rel: string,
    private readonly reprobeEvery = 60,
    private readonly absentReason?: (reason: string) => string,
  ) {}

  read(log: SourceLog): string | undefined {
    this.reads++;
    if (this.reads < this.skipUntil) return undefined;
    const r = log.fs.readKept(this.rel);
    if (r.ok) {
      this.absentReported = false;
      return r.text;
    }
    if (r.status === 'absent') {
      this.skipUntil = this.reads + this.reprobeEvery;
      if (this.absentReported) return undefined;
      this.absentReported = true;
    }
    const reason = r.status === 'absent' && this.absentReason ? this.absentReason(r.reason) : r.reason;
    log.report(this.rel, r.status, reason);
    return undefined;
  }
}
