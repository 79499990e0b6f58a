import type { KmsgSample } from '../../collectors/kmsg.js';
import type { MetricName } from '../catalog/index.js';
import type { KernelEventKind } from '../model/frame.js';
import type { Deriver } from './types.js';

/** Kernel-log kinds that feed an errors cell; alloc_failure and syn_flood are shown as events only. */
const METRIC_OF_KIND: Partial<Record<KernelEventKind, MetricName>> = {
  mce: 'cpu.machine_check_events',
  oom: 'memory.kernel_oom_events',
  io_error: 'disk.kernel_io_errors',
  fs_error: 'fs.kernel_errors',
  file_max: 'fd.kernel_file_max_events',
  fork_rejected: 'tasks.kernel_fork_rejected',
  conntrack_full: 'conntrack.kernel_table_full',
};

/** Counts are already per interval (history before the agent started is skipped), so even the first tick has them. */
export const deriveKmsg: Deriver<KmsgSample> = (_prev, cur, { out }) => {
  for (const [kind, metric] of Object.entries(METRIC_OF_KIND)) {
    out.set(metric, '', cur.counts[kind as KernelEventKind]);
  }
};
