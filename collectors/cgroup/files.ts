/**
 * What is read of a workload cgroup, as data: each quantity with its v2 file and its v1
 * equivalent, how often it is read, and what its text sets in a CgroupReading. read.ts walks this
 * table; docs/cgroups.md ("What is read per cgroup") describes it for users.
 */
import {
  parseCgroupCounter,
  parseCgroupGauge,
  parseCgroupPressure,
  parseMaxOrValue,
  parsePidsCurrent,
  parsePidsEvents,
  parsePidsMax,
} from './parse.js';
import {
  type CpuQuota,
  parseCfsQuota,
  parseCpuacctUsage,
  parseCpuMax,
  parseCpuStat,
  parseCpuStatV1,
} from './parse-cpu.js';
import { parseBlkioBytes, parseBlkioServiced, parseIoStat } from './parse-io.js';
import {
  parseMemoryEvents,
  parseMemoryLimitV1,
  parseMemoryStat,
  parseMemoryStatV1,
  parseOomControl,
} from './parse-memory.js';
import type { CgroupReading, V1Controller } from './sample.js';

/** The measured fields of a reading (all but who the cgroup is). */
export type ReadingField = Exclude<keyof CgroupReading, 'identity'>;

/**
 * One or more files of one directory read together, and what their text sets. `apply` parses
 * (throwing ParseError) and writes only `fields`, which are cleared when the files cannot be read.
 */
export interface CgroupSource {
  /** The v1 controller whose directory holds the files; undefined: the v2 directory. */
  controller?: V1Controller;
  files: readonly string[];
  fields: readonly ReadingField[];
  apply(texts: readonly string[], into: CgroupReading): void;
}

/**
 * How often a file is read (read.ts; all of them at first sight):
 * - `activity`: every tick, for every cgroup: CPU usage, which tells whether the cgroup did
 *   anything since the last tick, and throttling;
 * - `tick`: every tick while the cgroup used CPU since the last tick, else every idleEveryTicks;
 * - `slow`: every slowEveryTicks while it used CPU, else every idleEveryTicks, and once it is idle
 *   after using CPU since their last read (slowEveryTicks after it at the earliest): cumulative event
 *   counts, which a slower read delays but never loses, and memory.stat, the costliest file;
 * - `limits`: every limitsEveryMs (a limit changes when someone changes it).
 */
export type Cadence = 'activity' | 'tick' | 'slow' | 'limits';

export interface CgroupQuantity {
  /** Names it in the report made when neither hierarchy has it for a cgroup. */
  what: string;
  cadence: Cadence;
  v2?: CgroupSource;
  v1?: CgroupSource;
  /**
   * A field that the v2 source of an earlier quantity sets when it gives this quantity too: v2
   * cpu.stat has the throttling lines only where the v2 cpu controller is enabled, and on a hybrid
   * host (cpu controller on v1) they come from the v1 cpu.stat instead.
   */
  coveredBy?: ReadingField;
}

const CPU_USAGE_FIELDS = ['cpuUsageUsec', 'cpuUserUsec', 'cpuSystemUsec'] as const;
const THROTTLING_FIELDS = ['nrPeriods', 'nrThrottled', 'throttledUsec'] as const;
const QUOTA_FIELDS = ['cpuQuotaUsec', 'cpuPeriodUsec'] as const;
const IO_FIELDS = ['ioReadBytes', 'ioWriteBytes', 'ioReads', 'ioWrites'] as const;

function setQuota(into: CgroupReading, quota: CpuQuota | undefined): void {
  into.cpuQuotaUsec = quota?.quotaUs;
  into.cpuPeriodUsec = quota?.periodUs;
}

/** A source of one file whose parsed value is one field. */
function single<F extends ReadingField>(
  file: string,
  field: F,
  parse: (text: string) => CgroupReading[F],
  controller?: V1Controller,
): CgroupSource {
  return {
    controller,
    files: [file],
    fields: [field],
    apply: ([text], into) => {
      into[field] = parse(text);
    },
  };
}

function pressure(resource: 'cpu' | 'memory' | 'io'): CgroupQuantity {
  const field = `${resource}Pressure` as const;
  return {
    what: `${resource} pressure (PSI of cgroup v2)`,
    cadence: 'tick',
    v2: single(`${resource}.pressure`, field, parseCgroupPressure),
  };
}

/** In reading order: the first quantity a cgroup has is read first, and its absence means the cgroup went away. */
export const CGROUP_QUANTITIES: readonly CgroupQuantity[] = [
  {
    what: 'CPU usage (cpu.stat, v1 cpuacct.usage)',
    cadence: 'activity',
    v2: {
      files: ['cpu.stat'],
      fields: [...CPU_USAGE_FIELDS, ...THROTTLING_FIELDS],
      apply: ([text], into) => {
        const stat = parseCpuStat(text);
        into.cpuUsageUsec = stat.usageUsec;
        into.cpuUserUsec = stat.userUsec;
        into.cpuSystemUsec = stat.systemUsec;
        into.nrPeriods = stat.throttling?.nrPeriods;
        into.nrThrottled = stat.throttling?.nrThrottled;
        into.throttledUsec = stat.throttling?.throttledUsec;
      },
    },
    v1: single('cpuacct.usage', 'cpuUsageUsec', parseCpuacctUsage, 'cpuacct'),
  },
  {
    what: 'CPU throttling (cpu controller: cpu.stat nr_periods)',
    cadence: 'activity',
    coveredBy: 'nrPeriods',
    v1: {
      controller: 'cpu',
      files: ['cpu.stat'],
      fields: THROTTLING_FIELDS,
      apply: ([text], into) => {
        const t = parseCpuStatV1(text);
        into.nrPeriods = t.nrPeriods;
        into.nrThrottled = t.nrThrottled;
        into.throttledUsec = t.throttledUsec;
      },
    },
  },
  {
    what: 'CPU limit (cpu.max, v1 cpu.cfs_quota_us)',
    cadence: 'limits',
    v2: { files: ['cpu.max'], fields: QUOTA_FIELDS, apply: ([text], into) => setQuota(into, parseCpuMax(text)) },
    v1: {
      controller: 'cpu',
      files: ['cpu.cfs_quota_us', 'cpu.cfs_period_us'],
      fields: QUOTA_FIELDS,
      apply: ([quota, period], into) => setQuota(into, parseCfsQuota(quota, period)),
    },
  },
  {
    what: 'memory usage (memory.current, v1 memory.usage_in_bytes)',
    cadence: 'tick',
    v2: single('memory.current', 'memoryCurrentBytes', (t) => parseCgroupGauge(t, 'memory.current')),
    v1: single(
      'memory.usage_in_bytes',
      'memoryCurrentBytes',
      (t) => parseCgroupGauge(t, 'memory.usage_in_bytes'),
      'memory',
    ),
  },
  {
    what: 'memory limits (memory.max, v1 memory.limit_in_bytes)',
    cadence: 'limits',
    v2: {
      files: ['memory.max', 'memory.high'],
      fields: ['memoryMaxBytes', 'memoryHighBytes'],
      apply: ([max, high], into) => {
        into.memoryMaxBytes = parseMaxOrValue(max, 'memory.max');
        into.memoryHighBytes = parseMaxOrValue(high, 'memory.high');
      },
    },
    v1: single('memory.limit_in_bytes', 'memoryMaxBytes', parseMemoryLimitV1, 'memory'),
  },
  {
    what: 'memory.stat inactive_file (v1 total_inactive_file)',
    cadence: 'slow',
    v2: single('memory.stat', 'inactiveFileBytes', parseMemoryStat),
    v1: single('memory.stat', 'inactiveFileBytes', parseMemoryStatV1, 'memory'),
  },
  {
    what: 'memory events (memory.events, v1 memory.failcnt and memory.oom_control)',
    cadence: 'slow',
    v2: {
      files: ['memory.events'],
      fields: ['memoryHighEvents', 'memoryMaxEvents', 'oomEvents', 'oomKills'],
      apply: ([text], into) => {
        const e = parseMemoryEvents(text);
        into.memoryHighEvents = e.high;
        into.memoryMaxEvents = e.max;
        into.oomEvents = e.oom;
        into.oomKills = e.oomKill;
      },
    },
    v1: {
      controller: 'memory',
      files: ['memory.failcnt', 'memory.oom_control'],
      fields: ['memoryMaxEvents', 'oomKills'],
      apply: ([failcnt, oomControl], into) => {
        into.memoryMaxEvents = parseCgroupCounter(failcnt, 'memory.failcnt');
        into.oomKills = parseOomControl(oomControl);
      },
    },
  },
  {
    what: 'I/O (io.stat, v1 blkio.throttle.io_service_bytes)',
    cadence: 'tick',
    v2: {
      files: ['io.stat'],
      fields: IO_FIELDS,
      apply: ([text], into) => {
        const io = parseIoStat(text);
        into.ioReadBytes = io.readBytes;
        into.ioWriteBytes = io.writeBytes;
        into.ioReads = io.reads;
        into.ioWrites = io.writes;
      },
    },
    v1: {
      controller: 'blkio',
      files: ['blkio.throttle.io_service_bytes', 'blkio.throttle.io_serviced'],
      fields: IO_FIELDS,
      apply: ([bytes, serviced], into) => {
        const b = parseBlkioBytes(bytes);
        const n = parseBlkioServiced(serviced);
        into.ioReadBytes = b.read;
        into.ioWriteBytes = b.write;
        into.ioReads = n.read;
        into.ioWrites = n.write;
      },
    },
  },
  pids('pids.current', 'pidsCurrent', 'tick', parsePidsCurrent),
  pids('pids.max', 'pidsMax', 'limits', parsePidsMax),
  pids('pids.events', 'pidsMaxEvents', 'slow', parsePidsEvents),
  pressure('cpu'),
  pressure('memory'),
  pressure('io'),
];

/** A pids file: the same name in the v2 directory and in the v1 pids controller's. */
function pids<F extends 'pidsCurrent' | 'pidsMax' | 'pidsMaxEvents'>(
  file: string,
  field: F,
  cadence: Cadence,
  parse: (text: string) => CgroupReading[F],
): CgroupQuantity {
  return {
    what: `${file} (pids controller)`,
    cadence,
    v2: single(file, field, parse),
    v1: single(file, field, parse, 'pids'),
  };
}
