import { kernelLogMetric, metricsOf, pressureMetric } from './define.js';

const meminfo = '/proc/meminfo';
const vmstat = '/proc/vmstat';

const memory = metricsOf('memory', 'host');

/** A /proc/meminfo figure in bytes. */
function bytes<const N extends string>(name: N, description: string, formula: string) {
  return memory({ name, unit: 'bytes', description, source: meminfo, formula });
}

/** A /proc/vmstat counter as a rate. */
function rate<const N extends string>(name: N, unit: 'per_s' | 'bytes_per_s', description: string, formula: string) {
  return memory({ name, unit, description, source: vmstat, formula });
}

/** Share of a /proc/meminfo pool in use. */
function used<const N extends string>(name: N, description: string, fields: string, formula: string) {
  return memory({ name, unit: 'ratio', description, source: `${meminfo} ${fields}`, formula });
}

/** Memory errors counted by the EDAC driver of each memory controller. */
function edac<const N extends string>(name: N, description: string, field: 'ce_count' | 'ue_count') {
  return memory({
    name,
    unit: 'count',
    description,
    source: `/sys/devices/system/edac/mc/mc*/${field}`,
    formula: `ΔΣ ${field}`,
  });
}

/** Derived in src/derive/memory.ts, except the kernel-log count (src/derive/kmsg.ts). */
export const memoryMetrics = [
  used(
    'memory.utilization',
    'Share of memory not available to new work without swapping (free/procps "used")',
    'MemTotal, MemAvailable',
    '1 − MemAvailable / MemTotal (before 3.14: MemFree + Buffers + Cached + SReclaimable for MemAvailable)',
  ),
  bytes('memory.total_bytes', 'Physical memory usable by the kernel', 'MemTotal × 1024'),
  bytes(
    'memory.available_bytes',
    'Memory available for new work without swapping, reclaimable cache included',
    'MemAvailable × 1024 (or the fallback sum)',
  ),
  bytes('memory.used_bytes', 'Memory in use (total − available, as procps 4 free)', 'total − available'),
  bytes('memory.free_bytes', 'Memory not used at all', 'MemFree × 1024'),
  bytes('memory.buffers_bytes', 'Block device buffers', 'Buffers × 1024'),
  bytes('memory.cached_bytes', 'Page cache (Cached; SReclaimable not included)', 'Cached × 1024'),
  used(
    'memory.swap_utilization',
    'Share of swap in use; not set on hosts without swap',
    'SwapTotal, SwapFree',
    '1 − SwapFree / SwapTotal (only when SwapTotal > 0)',
  ),
  bytes('memory.swap_used_bytes', 'Swap in use', '(SwapTotal − SwapFree) × 1024'),
  rate(
    'memory.swap_in_bps',
    'bytes_per_s',
    'Bytes read back from swap per second (vmstat si)',
    'Δpswpin × page size / Δt',
  ),
  rate(
    'memory.swap_out_bps',
    'bytes_per_s',
    'Bytes written to swap per second (vmstat so)',
    'Δpswpout × page size / Δt',
  ),
  rate(
    'memory.page_in_bps',
    'bytes_per_s',
    'Bytes paged in from block devices per second (vmstat bi)',
    'Δpgpgin × 1024 / Δt',
  ),
  rate(
    'memory.page_out_bps',
    'bytes_per_s',
    'Bytes paged out to block devices per second (vmstat bo)',
    'Δpgpgout × 1024 / Δt',
  ),
  rate(
    'memory.scan_kswapd_ps',
    'per_s',
    'Pages scanned by kswapd per second: background reclaim (sar -B pgscank)',
    'ΔΣ pgscan_kswapd* / Δt (per-zone names before 4.8 included)',
  ),
  rate(
    'memory.scan_direct_ps',
    'per_s',
    'Pages scanned by allocating tasks per second: direct reclaim stalls them (sar -B pgscand)',
    'ΔΣ pgscan_direct* (except pgscan_direct_throttle) / Δt',
  ),
  rate('memory.allocstall_ps', 'per_s', 'Direct reclaim entries per second', 'ΔΣ allocstall* / Δt'),
  rate('memory.major_faults_ps', 'per_s', 'Page faults that needed disk I/O, per second', 'Δpgmajfault / Δt'),
  pressureMetric(
    'memory.psi_some',
    'memory',
    'memory',
    'some',
    'Share of time at least one task was stalled on memory (reclaim, swap-in, thrashing) (PSI)',
  ),
  pressureMetric(
    'memory.psi_full',
    'memory',
    'memory',
    'full',
    'Share of time all non-idle tasks were stalled on memory at once (PSI)',
  ),
  memory({
    name: 'memory.oom_kills',
    unit: 'count',
    description: 'Processes killed by the OOM killer in the interval (kernel 4.13+)',
    source: `${vmstat} oom_kill`,
    formula: 'Δoom_kill',
  }),
  bytes(
    'memory.hardware_corrupted_bytes',
    'Memory the kernel took out of use after hardware errors (poisoned pages)',
    'HardwareCorrupted × 1024',
  ),
  edac(
    'memory.edac_corrected',
    'Corrected memory errors in the interval (ECC); not set without an EDAC driver',
    'ce_count',
  ),
  edac(
    'memory.edac_uncorrected',
    'Uncorrected memory errors in the interval; not set without an EDAC driver',
    'ue_count',
  ),
  kernelLogMetric(
    'memory.kernel_oom_events',
    'memory',
    'OOM killer records in the kernel log (one kill logs up to three: invoked oom-killer, oom-kill:, Killed process)',
    '"Out of memory", "Killed process", "oom-kill"',
  ),
];
