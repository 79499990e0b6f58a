import type { CpuSample } from '../../collectors/cpu.js';
import type { DiskDevice, DiskSample } from '../../collectors/disk.js';
import type { PressureSample } from '../../collectors/pressure.js';
import { counterDelta, wrap32Delta } from './counter.js';
import { stallShare } from './pressure.js';
import type { DeriveContext, Deriver } from './types.js';
import { SECTOR_BYTES } from './units.js';

// Every disk.* metric is derived here, from three collectors' samples: per-device iostat -x figures
// from /proc/diskstats (deriveDisk), I/O pressure from /proc/pressure/io (deriveDiskPressure) and the
// tasks blocked on I/O from /proc/stat (deriveDiskBlockedTasks); src/pipeline/families.ts runs each on
// its collector's sample. The kernel-log count disk.kernel_io_errors is counted with the other
// kernel-log kinds in kmsg.ts.

/** Per-device iostat -x figures (sysstat's formulas; ms fields taken modulo 2^32). */
export const deriveDisk: Deriver<DiskSample> = (prev, cur, ctx) => {
  for (const [name, dev] of cur.devices) {
    ctx.out.set('disk.inflight', name, dev.stats.inflight);
    ctx.out.set('disk.md_degraded', name, dev.mdDegraded);
    const before = prev?.devices.get(name);
    if (before !== undefined) deriveRates(name, before, dev, ctx);
  }
};

function deriveRates(name: string, before: DiskDevice, dev: DiskDevice, ctx: DeriveContext): void {
  const dt = ctx.dtSeconds;
  if (!(dt > 0)) return;
  const a = before.stats;
  const b = dev.stats;
  const reads = counterDelta(a.reads, b.reads);
  const writes = counterDelta(a.writes, b.writes);
  const discards = counterDelta(a.discards, b.discards);
  // A device recreated under the same name restarts its counters: the interval has no valid rates.
  if (reads === undefined || writes === undefined || discards === undefined) return;
  const dtMs = dt * 1000;
  const out = ctx.out;
  out.set('disk.reads_ps', name, reads / dt);
  out.set('disk.writes_ps', name, writes / dt);
  const sectorsRead = counterDelta(a.sectorsRead, b.sectorsRead);
  const sectorsWritten = counterDelta(a.sectorsWritten, b.sectorsWritten);
  if (sectorsRead !== undefined) out.set('disk.read_bps', name, (sectorsRead * SECTOR_BYTES) / dt);
  if (sectorsWritten !== undefined) out.set('disk.write_bps', name, (sectorsWritten * SECTOR_BYTES) / dt);
  const ioMs = wrap32Delta(a.ioMs, b.ioMs)!;
  out.set('disk.utilization', name, Math.min(1, ioMs / dtMs));
  out.set('disk.queue_depth', name, wrap32Delta(a.weightedMs, b.weightedMs)! / dtMs);
  const readMs = wrap32Delta(a.readMs, b.readMs)!;
  const writeMs = wrap32Delta(a.writeMs, b.writeMs)!;
  const discardMs = wrap32Delta(a.discardMs, b.discardMs)!;
  out.set('disk.r_await_ms', name, reads > 0 ? readMs / reads : 0);
  out.set('disk.w_await_ms', name, writes > 0 ? writeMs / writes : 0);
  const ios = reads + writes + discards;
  out.set('disk.await_ms', name, ios > 0 ? (readMs + writeMs + discardMs) / ios : 0);
  if (before.ioErrors !== undefined && dev.ioErrors !== undefined) {
    out.set('disk.errors', name, counterDelta(before.ioErrors, dev.ioErrors));
  }
}

/** Host-wide I/O pressure stall shares: the disk saturation rules read these. */
export const deriveDiskPressure: Deriver<PressureSample> = (prev, cur, { dtSeconds, out }) => {
  if (prev === undefined) return;
  out.set('disk.psi_some', '', stallShare(prev.io?.some, cur.io?.some, dtSeconds));
  out.set('disk.psi_full', '', stallShare(prev.io?.full, cur.io?.full, dtSeconds));
};

/** Tasks blocked on I/O at the instant of the read (procs_blocked of /proc/stat, which the cpu collector reads). */
export const deriveDiskBlockedTasks: Deriver<CpuSample> = (_prev, cur, { out }) => {
  out.set('disk.blocked_tasks', '', cur.stat.procsBlocked);
};
