/**
 * CPU files of a cgroup: v2 cpu.stat and cpu.max; v1 cpuacct.usage, cpu.stat and
 * cpu.cfs_quota_us / cpu.cfs_period_us. Times come out in µs whatever the file's unit.
 */
import { divideCounter, fields, parseCounter, parseIntStrict } from '../parse.js';
import { type Counter, ParseError } from '../types.js';
import { keyedCounters, needKey, parseCgroupCounter } from './parse.js';

/** A cgroup CPU bandwidth limit: quota µs of CPU time per period µs. */
export interface CpuQuota {
  quotaUs: number;
  periodUs: number;
}

/** CFS bandwidth enforcement of a cgroup, cumulative. */
export interface CpuThrottling {
  /** Enforcement periods that elapsed while the cgroup had runnable tasks. */
  nrPeriods: Counter;
  /** Of those, the periods in which it ran out of quota. */
  nrThrottled: Counter;
  /** Time its tasks were held back, µs. */
  throttledUsec: Counter;
}

/** v2 cpu.stat. */
export interface CpuStat {
  usageUsec: Counter;
  userUsec?: Counter;
  systemUsec?: Counter;
  /** Only where the cpu controller is enabled for the cgroup (the usage lines are always there). */
  throttling?: CpuThrottling;
}

const NS_PER_US = 1000;

const CPU_STAT_V2 = ['usage_usec', 'user_usec', 'system_usec', 'nr_periods', 'nr_throttled', 'throttled_usec'];

/** v2 cpu.stat: usage, user and system µs, and the throttling lines when the cpu controller is on. */
export function parseCpuStat(text: string): CpuStat {
  const v = keyedCounters(text, CPU_STAT_V2, 'cpu.stat');
  const out: CpuStat = { usageUsec: needKey(v, CPU_STAT_V2, 0, 'cpu.stat') };
  if (v[1] !== undefined) out.userUsec = v[1];
  if (v[2] !== undefined) out.systemUsec = v[2];
  if (v[3] !== undefined && v[4] !== undefined && v[5] !== undefined) {
    out.throttling = { nrPeriods: v[3], nrThrottled: v[4], throttledUsec: v[5] };
  }
  return out;
}

const CPU_STAT_V1 = ['nr_periods', 'nr_throttled', 'throttled_time'];

/** v1 cpu.stat (cpu controller): nr_periods, nr_throttled and throttled_time in ns. */
export function parseCpuStatV1(text: string): CpuThrottling {
  const v = keyedCounters(text, CPU_STAT_V1, 'cpu.stat');
  return {
    nrPeriods: needKey(v, CPU_STAT_V1, 0, 'cpu.stat'),
    nrThrottled: needKey(v, CPU_STAT_V1, 1, 'cpu.stat'),
    throttledUsec: divideCounter(needKey(v, CPU_STAT_V1, 2, 'cpu.stat'), NS_PER_US),
  };
}

/** v1 cpuacct.usage: CPU time of the cgroup's tasks in ns, returned in µs. */
export function parseCpuacctUsage(text: string): Counter {
  return divideCounter(parseCgroupCounter(text, 'cpuacct.usage'), NS_PER_US);
}

/** Parses cgroup v2 cpu.max: "max 100000" (no limit → undefined) or "50000 100000". */
export function parseCpuMax(text: string): CpuQuota | undefined {
  const cols = fields(text.trim());
  if (cols.length !== 2) throw new ParseError(`expected "quota period", got ${cols.length} fields`);
  const periodUs = Number(parseCounter(cols[1], 'period'));
  if (cols[0] === 'max') return undefined;
  return { quotaUs: Number(parseCounter(cols[0], 'quota')), periodUs };
}

/** Parses cgroup v1 cpu.cfs_quota_us and cpu.cfs_period_us; a quota of -1 means no limit. */
export function parseCfsQuota(quotaText: string, periodText: string): CpuQuota | undefined {
  const quotaUs = parseIntStrict(quotaText.trim(), 'cfs_quota_us');
  const periodUs = parseIntStrict(periodText.trim(), 'cfs_period_us');
  if (quotaUs < 0) return undefined;
  if (periodUs <= 0) throw new ParseError(`cfs_period_us: not positive: ${periodUs}`);
  return { quotaUs, periodUs };
}
