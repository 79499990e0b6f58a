import type { MemorySample } from '../../collectors/memory.js';
import type { PressureSample } from '../../collectors/pressure.js';
import { counterDelta, counterRate } from './counter.js';
import { stallShare } from './pressure.js';
import type { Deriver } from './types.js';

const KIB = 1024;

/** MemAvailable, or on kernels before 3.14 the memory that is free or reclaimable without swapping. */
function available(m: Map<string, number>): number | undefined {
  const direct = m.get('MemAvailable');
  if (direct !== undefined) return direct;
  const free = m.get('MemFree');
  if (free === undefined) return undefined;
  return free + (m.get('Buffers') ?? 0) + (m.get('Cached') ?? 0) + (m.get('SReclaimable') ?? 0);
}

function scaled(rate: number | undefined, factor: number): number | undefined {
  return rate === undefined ? undefined : rate * factor;
}

export const deriveMemory: Deriver<MemorySample> = (prev, cur, { dtSeconds, out }) => {
  const m = cur.meminfo;
  const total = m.get('MemTotal');
  const avail = available(m);
  out.set('memory.total_bytes', '', total);
  out.set('memory.available_bytes', '', avail);
  if (total !== undefined && avail !== undefined && total > 0) {
    out.set('memory.utilization', '', 1 - avail / total);
    out.set('memory.used_bytes', '', total - avail);
  }
  out.set('memory.free_bytes', '', m.get('MemFree'));
  out.set('memory.buffers_bytes', '', m.get('Buffers'));
  out.set('memory.cached_bytes', '', m.get('Cached'));
  out.set('memory.hardware_corrupted_bytes', '', m.get('HardwareCorrupted'));
  const swapTotal = m.get('SwapTotal');
  const swapFree = m.get('SwapFree');
  if (swapTotal !== undefined && swapFree !== undefined) {
    out.set('memory.swap_used_bytes', '', swapTotal - swapFree);
    if (swapTotal > 0) out.set('memory.swap_utilization', '', 1 - swapFree / swapTotal);
  }

  if (prev === undefined) return;
  const a = prev.vmstat;
  const b = cur.vmstat;
  if (a !== undefined && b !== undefined) {
    out.set('memory.swap_in_bps', '', scaled(counterRate(a.pswpin, b.pswpin, dtSeconds), cur.pageSize));
    out.set('memory.swap_out_bps', '', scaled(counterRate(a.pswpout, b.pswpout, dtSeconds), cur.pageSize));
    out.set('memory.page_in_bps', '', scaled(counterRate(a.pgpgin, b.pgpgin, dtSeconds), KIB));
    out.set('memory.page_out_bps', '', scaled(counterRate(a.pgpgout, b.pgpgout, dtSeconds), KIB));
    out.set('memory.scan_kswapd_ps', '', counterRate(a.pgscanKswapd, b.pgscanKswapd, dtSeconds));
    out.set('memory.scan_direct_ps', '', counterRate(a.pgscanDirect, b.pgscanDirect, dtSeconds));
    out.set('memory.allocstall_ps', '', counterRate(a.allocstall, b.allocstall, dtSeconds));
    out.set('memory.major_faults_ps', '', counterRate(a.pgmajfault, b.pgmajfault, dtSeconds));
    out.set('memory.oom_kills', '', counterDelta(a.oomKill, b.oomKill));
  }
  if (prev.edac !== undefined && cur.edac !== undefined) {
    out.set('memory.edac_corrected', '', counterDelta(prev.edac.corrected, cur.edac.corrected));
    out.set('memory.edac_uncorrected', '', counterDelta(prev.edac.uncorrected, cur.edac.uncorrected));
  }
};

/** Memory pressure stall shares from /proc/pressure/memory. */
export const deriveMemoryPressure: Deriver<PressureSample> = (prev, cur, { dtSeconds, out }) => {
  if (prev === undefined) return;
  out.set('memory.psi_some', '', stallShare(prev.memory?.some, cur.memory?.some, dtSeconds));
  out.set('memory.psi_full', '', stallShare(prev.memory?.full, cur.memory?.full, dtSeconds));
};
