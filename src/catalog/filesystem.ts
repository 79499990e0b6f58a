import { kernelLogMetric, metricsOf } from './define.js';

const statfs = 'statfs(2) of the mount point (/proc/self/mountinfo)';

/** Per mounted filesystem (pseudo filesystems and bind-mount duplicates excluded); instance = mount point. */
const mount = metricsOf('filesystem', 'mount');

/** Derived in src/derive/filesystem.ts, except the kernel-log count (src/derive/kmsg.ts). */
export const filesystemMetrics = [
  mount({
    name: 'fs.utilization',
    unit: 'ratio',
    description: 'Share of the space usable by non-root users that is used (df Use%; root-reserved blocks excluded)',
    source: statfs,
    formula: '(blocks − bfree) / (blocks − bfree + bavail)',
  }),
  mount({
    name: 'fs.inode_utilization',
    unit: 'ratio',
    description: 'Share of inodes in use (df -i IUse%); not set on filesystems without an inode limit (files = 0)',
    source: statfs,
    formula: '(files − ffree) / files',
  }),
  mount({
    name: 'fs.size_bytes',
    unit: 'bytes',
    description: 'Total size of the filesystem',
    source: statfs,
    formula: 'blocks × bsize',
  }),
  mount({
    name: 'fs.avail_bytes',
    unit: 'bytes',
    description: 'Space available to non-root users',
    source: statfs,
    formula: 'bavail × bsize',
  }),
  mount({
    name: 'fs.used_bytes',
    unit: 'bytes',
    description: 'Space in use',
    source: statfs,
    formula: '(blocks − bfree) × bsize',
  }),
  mount({
    name: 'fs.readonly',
    unit: 'count',
    description: '1 when mounted read-only (ext4 with errors=remount-ro switches to ro on errors)',
    source: '/proc/self/mountinfo mount options',
    formula: "1 if 'ro' in the mount options, else 0",
  }),
  mount({
    name: 'fs.errors',
    unit: 'count',
    description: 'Filesystem errors recorded by ext4 in the interval',
    source: '/sys/fs/ext4/<dev>/errors_count',
    formula: 'Δerrors_count',
  }),
  mount({
    name: 'fs.stuck',
    unit: 'count',
    description: '1 when statfs did not answer in time (dead NFS server, hung FUSE daemon); retried after 5 minutes',
    source: statfs,
    formula: '1 if statfs timed out, else 0',
  }),
  mount({
    name: 'fs.hours_to_full',
    unit: 'hours',
    description: 'Hours until the space available runs out at the current trend; set only while it falls',
    source: statfs,
    formula: 'bavail_bytes / −slope, slope from a least-squares fit of avail over the last 10 min (needs ≥ 2 min)',
  }),
  kernelLogMetric(
    'fs.kernel_errors',
    'filesystem',
    'Filesystem error records in the kernel log',
    '"EXT4-fs error", XFS error/corruption, "Remounting filesystem read-only"',
  ),
];
