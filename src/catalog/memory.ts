import type { MetricDef } from './types.js';

const meminfo = '/proc/meminfo';
const vmstat = '/proc/vmstat';

function bytes(name: string, description: string, source: string, formula: string): MetricDef {
  return { name: `memory.${name}`, resource: 'memory', unit: 'bytes', instance: 'host', description, source, formula };
}

function rate(name: string, unit: 'per_s' | 'bytes_per_s', description: string, formula: string): MetricDef {
  return { name: `memory.${name}`, resource: 'memory', unit, instance: 'host', description, source: vmstat, formula };
}

export const memoryMetrics: MetricDef[] = [
  {
    name: 'memory.utilization',
    resource: 'memory',
    unit: 'ratio',
    instance: 'host',
    description: 'Share of memory not available to new work without swapping (free/procps "used")',
    source: `${meminfo} MemTotal, MemAvailable`,
    formula: '1 − MemAvailable / MemTotal (before 3.14: MemFree + Buffers + Cached + SReclaimable for MemAvailable)',
  },
  bytes('total_bytes', 'Physical memory usable by the kernel', meminfo, 'MemTotal × 1024'),
  bytes(
    'available_bytes',
    'Memory available for new work without swapping, reclaimable cache included',
    meminfo,
    'MemAvailable × 1024 (or the fallback sum)',
  ),
  bytes('used_bytes', 'Memory in use (total − available, as procps 4 free)', meminfo, 'total − available'),
  bytes('free_bytes', 'Memory not used at all', meminfo, 'MemFree × 1024'),
  bytes('buffers_bytes', 'Block device buffers', meminfo, 'Buffers × 1024'),
  bytes('cached_bytes', 'Page cache (Cached; SReclaimable not included)', meminfo, 'Cached × 1024'),
  {
    name: 'memory.swap_utilization',
    resource: 'memory',
    unit: 'ratio',
    instance: 'host',
    description: 'Share of swap in use; not set on hosts without swap',
    source: `${meminfo} SwapTotal, SwapFree`,
    formula: '1 − SwapFree / SwapTotal (only when SwapTotal > 0)',
  },
  bytes('swap_used_bytes', 'Swap in use', meminfo, '(SwapTotal − SwapFree) × 1024'),
  rate('swap_in_bps', 'bytes_per_s', 'Bytes read back from swap per second (vmstat si)', 'Δpswpin × page size / Δt'),
  rate('swap_out_bps', 'bytes_per_s', 'Bytes written to swap per second (vmstat so)', 'Δpswpout × page size / Δt'),
  rate('page_in_bps', 'bytes_per_s', 'Bytes paged in from block devices per second (vmstat bi)', 'Δpgpgin × 1024 / Δt'),
  rate(
    'page_out_bps',
    'bytes_per_s',
    'Bytes paged out to block devices per second (vmstat bo)',
    'Δpgpgout × 1024 / Δt',
  ),
  rate(
    'scan_kswapd_ps',
    'per_s',
    'Pages scanned by kswapd per second: background reclaim (sar -B pgscank)',
    'ΔΣ pgscan_kswapd* / Δt (per-zone names before 4.8 included)',
  ),
  rate(
    'scan_direct_ps',
    'per_s',
    'Pages scanned by allocating tasks per second: direct reclaim stalls them (sar -B pgscand)',
    'ΔΣ pgscan_direct* (except pgscan_direct_throttle) / Δt',
  ),
  rate('allocstall_ps', 'per_s', 'Direct reclaim entries per second', 'ΔΣ allocstall* / Δt'),
  rate('major_faults_ps', 'per_s', 'Page faults that needed disk I/O, per second', 'Δpgmajfault / Δt'),
  {
    name: 'memory.psi_some',
    resource: 'memory',
    unit: 'ratio',
    instance: 'host',
    description: 'Share of time at least one task was stalled on memory (reclaim, swap-in, thrashing) (PSI)',
    source: '/proc/pressure/memory some total',
    formula: 'Δtotal_µs / Δt_µs',
  },
  {
    name: 'memory.psi_full',
    resource: 'memory',
    unit: 'ratio',
    instance: 'host',
    description: 'Share of time all non-idle tasks were stalled on memory at once (PSI)',
    source: '/proc/pressure/memory full total',
    formula: 'Δtotal_µs / Δt_µs',
  },
  {
    name: 'memory.oom_kills',
    resource: 'memory',
    unit: 'count',
    instance: 'host',
    description: 'Processes killed by the OOM killer in the interval (kernel 4.13+)',
    source: `${vmstat} oom_kill`,
    formula: 'Δoom_kill',
  },
  bytes(
    'hardware_corrupted_bytes',
    'Memory the kernel took out of use after hardware errors (poisoned pages)',
    meminfo,
    'HardwareCorrupted × 1024',
  ),
  {
    name: 'memory.edac_corrected',
    resource: 'memory',
    unit: 'count',
    instance: 'host',
    description: 'Corrected memory errors in the interval (ECC); not set without an EDAC driver',
    source: '/sys/devices/system/edac/mc/mc*/ce_count',
    formula: 'ΔΣ ce_count',
  },
  {
    name: 'memory.edac_uncorrected',
    resource: 'memory',
    unit: 'count',
    instance: 'host',
    description: 'Uncorrected memory errors in the interval; not set without an EDAC driver',
    source: '/sys/devices/system/edac/mc/mc*/ue_count',
    formula: 'ΔΣ ue_count',
  },
];
