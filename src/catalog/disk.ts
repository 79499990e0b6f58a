import { kernelLogMetric, metricsOf, pressureMetric } from './define.js';

const diskstats = '/proc/diskstats';

/** Per whole device (partitions, loop and ram excluded); field numbers as in iostats.rst. */
const disk = metricsOf('disk', 'disk');
/** Host-wide: the I/O stalls and blocked tasks of all devices together. */
const allDisks = metricsOf('disk', 'host');

/** Derived in src/derive/disk.ts, except the kernel-log count (src/derive/kmsg.ts). */
export const diskMetrics = [
  disk({
    name: 'disk.utilization',
    unit: 'ratio',
    description:
      'Share of time the device had I/O in flight (iostat %util); on parallel devices (NVMe, dm, md, virtio) 1 only means never idle',
    source: `${diskstats} field 10 (io_ticks, ms)`,
    formula: 'min(1, Δio_ticks / Δt_ms), Δ modulo 2^32',
  }),
  disk({
    name: 'disk.queue_depth',
    unit: 'count',
    description: 'Average number of requests queued or in service (iostat aqu-sz)',
    source: `${diskstats} field 11 (weighted time, ms)`,
    formula: 'Δfield11 / Δt_ms, Δ modulo 2^32',
  }),
  disk({
    name: 'disk.await_ms',
    unit: 'ms',
    description: 'Average time a read, write or discard took, queueing included (iostat await)',
    source: `${diskstats} fields 1, 4, 5, 8, 12, 15`,
    formula: '(Δf4 + Δf8 + Δf15) / (Δf1 + Δf5 + Δf12); 0 when no I/O completed',
  }),
  disk({
    name: 'disk.r_await_ms',
    unit: 'ms',
    description: 'Average time a read took, queueing included (iostat r_await)',
    source: `${diskstats} fields 1, 4`,
    formula: 'Δf4 / Δf1; 0 when no read completed',
  }),
  disk({
    name: 'disk.w_await_ms',
    unit: 'ms',
    description: 'Average time a write took, queueing included (iostat w_await)',
    source: `${diskstats} fields 5, 8`,
    formula: 'Δf8 / Δf5; 0 when no write completed',
  }),
  disk({
    name: 'disk.reads_ps',
    unit: 'per_s',
    description: 'Reads completed per second (iostat r/s)',
    source: `${diskstats} field 1`,
    formula: 'Δf1 / Δt',
  }),
  disk({
    name: 'disk.writes_ps',
    unit: 'per_s',
    description: 'Writes completed per second (iostat w/s)',
    source: `${diskstats} field 5`,
    formula: 'Δf5 / Δt',
  }),
  disk({
    name: 'disk.read_bps',
    unit: 'bytes_per_s',
    description: 'Bytes read per second (iostat rkB/s × 1024)',
    source: `${diskstats} field 3 (sectors)`,
    formula: 'Δf3 × 512 / Δt',
  }),
  disk({
    name: 'disk.write_bps',
    unit: 'bytes_per_s',
    description: 'Bytes written per second (iostat wkB/s × 1024)',
    source: `${diskstats} field 7 (sectors)`,
    formula: 'Δf7 × 512 / Δt',
  }),
  disk({
    name: 'disk.inflight',
    unit: 'count',
    description: 'Requests in flight right now',
    source: `${diskstats} field 9`,
    formula: 'as read',
  }),
  disk({
    name: 'disk.errors',
    unit: 'count',
    description: 'I/O errors and timeouts counted by the SCSI layer in the interval (sd devices only)',
    source: '/sys/block/<d>/device/ioerr_cnt, iotmo_cnt (hex)',
    formula: 'Δ(ioerr_cnt + iotmo_cnt); a decrease (the sd driver resets it) gives no value',
  }),
  disk({
    name: 'disk.md_degraded',
    unit: 'count',
    description: 'Missing members of an md RAID array; above 0 the array runs without redundancy',
    source: '/sys/block/md*/md/degraded',
    formula: 'as read',
  }),
  allDisks({
    name: 'disk.blocked_tasks',
    unit: 'threads',
    description:
      'Tasks blocked waiting for I/O at the instant of the read (vmstat b); one sample, so rules use disk.psi_some',
    source: '/proc/stat procs_blocked',
    formula: 'as read',
  }),
  pressureMetric('disk.psi_some', 'disk', 'io', 'some', 'Share of time at least one task was stalled on I/O (PSI)'),
  pressureMetric(
    'disk.psi_full',
    'disk',
    'io',
    'full',
    'Share of time all non-idle tasks were stalled on I/O at once (PSI)',
  ),
  kernelLogMetric(
    'disk.kernel_io_errors',
    'disk',
    'Block I/O error records in the kernel log',
    '"I/O error", "blk_update_request", "critical medium error"',
  ),
];
