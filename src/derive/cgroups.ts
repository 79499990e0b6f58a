import type { CgroupReading, CgroupsSample } from '../../collectors/cgroup/sample.js';
import type { CgroupEntry } from '../model/cgroup.js';
import { counterDelta, counterRate } from './counter.js';
import { usecShare } from './pressure.js';
import { sanitizeText } from './processes.js';
import type { Deriver, MetricSink } from './types.js';

const US_PER_SECOND = 1e6;

/**
 * Code points kept of a cgroup's names in frames. A Kubernetes name is "namespace/pod/container"
 * (63 + 253 + 63 at most); views fit them to their columns, frames only bound them.
 */
const NAME_MAX = 128;
const PART_MAX = 64;
const POD_MAX = 128;

/**
 * Sets the `cgroup.*` metrics of every cgroup read on this tick (instance = the cgroup's id): gauges
 * from this sample, rates and interval counts against the same cgroup's reading on the tick before.
 * A cgroup that appeared on this tick, the first tick and a counter that went backwards (the cgroup
 * was removed and made again under the same path) have no rates. CPU utilization without a quota is
 * shared over the online CPUs, `cpu.count`, which the cpu family sets earlier in the tick.
 */
export const deriveCgroups: Deriver<CgroupsSample> = (prev, cur, { dtSeconds, out }) => {
  const before = prev !== undefined && dtSeconds > 0 ? readingsById(prev) : undefined;
  const online = out.get('cpu.count');
  for (const r of cur.cgroups) {
    const id = r.identity.id;
    setGauges(out, id, r);
    const p = before?.get(id);
    if (p !== undefined) setRates(out, id, p, r, dtSeconds, online);
  }
};

function readingsById(sample: CgroupsSample): Map<string, CgroupReading> {
  const byId = new Map<string, CgroupReading>();
  for (const r of sample.cgroups) byId.set(r.identity.id, r);
  return byId;
}

/** cAdvisor's working set: memory.current less inactive_file, at least 0; all of it when inactive_file is unknown. */
export function workingSetBytes(r: CgroupReading): number | undefined {
  if (r.memoryCurrentBytes === undefined) return undefined;
  return Math.max(0, r.memoryCurrentBytes - (r.inactiveFileBytes ?? 0));
}

/** The lower of memory.high and memory.max, the first limit the working set runs into. */
function memoryLimit(r: CgroupReading): number | undefined {
  const limits = [r.memoryHighBytes, r.memoryMaxBytes].filter((l): l is number => l !== undefined && l > 0);
  return limits.length === 0 ? undefined : Math.min(...limits);
}

/** The CPU quota in CPUs (cpu.max quota / period); undefined without one. */
export function cpuQuotaCpus(r: CgroupReading): number | undefined {
  const { cpuQuotaUsec: quota, cpuPeriodUsec: period } = r;
  return quota !== undefined && period !== undefined && quota > 0 && period > 0 ? quota / period : undefined;
}

function setGauges(out: MetricSink, id: string, r: CgroupReading): void {
  const workingSet = workingSetBytes(r);
  const limit = memoryLimit(r);
  out.set('cgroup.memory.used', id, r.memoryCurrentBytes);
  out.set('cgroup.memory.working_set', id, workingSet);
  if (workingSet !== undefined && limit !== undefined) out.set('cgroup.memory.utilization', id, workingSet / limit);
  out.set('cgroup.pids.current', id, r.pidsCurrent);
  if (r.pidsCurrent !== undefined && r.pidsMax !== undefined && r.pidsMax > 0) {
    out.set('cgroup.pids.utilization', id, r.pidsCurrent / r.pidsMax);
  }
}

function setRates(
  out: MetricSink,
  id: string,
  p: CgroupReading,
  r: CgroupReading,
  dt: number,
  online: number | undefined,
): void {
  const usageUsPerS = counterRate(p.cpuUsageUsec, r.cpuUsageUsec, dt);
  if (usageUsPerS !== undefined) {
    const usage = usageUsPerS / US_PER_SECOND;
    out.set('cgroup.cpu.usage', id, usage);
    // A quota above the host's CPUs cannot be reached: the CPUs are the capacity then.
    const quota = cpuQuotaCpus(r);
    const capacity = quota === undefined ? online : online === undefined ? quota : Math.min(quota, online);
    if (capacity) out.set('cgroup.cpu.utilization', id, Math.min(1, usage / capacity));
  }
  const periods = counterDelta(p.nrPeriods, r.nrPeriods);
  const throttled = counterDelta(p.nrThrottled, r.nrThrottled);
  // A cgroup that ran no enforcement period in the interval (idle, or not runnable) was not
  // throttled: 0, so that a throttling finding clears when its load stops rather than staying stuck
  // without a value.
  if (periods !== undefined && throttled !== undefined) {
    out.set('cgroup.cpu.throttled', id, periods > 0 ? Math.min(1, throttled / periods) : 0);
  }
  const throttledUs = counterRate(p.throttledUsec, r.throttledUsec, dt);
  out.set('cgroup.cpu.throttled_time', id, throttledUs === undefined ? undefined : throttledUs / US_PER_SECOND);
  out.set('cgroup.cpu.pressure', id, usecShare(p.cpuPressure?.someUsec, r.cpuPressure?.someUsec, dt));
  out.set('cgroup.memory.pressure', id, usecShare(p.memoryPressure?.someUsec, r.memoryPressure?.someUsec, dt));
  out.set('cgroup.io.pressure', id, usecShare(p.ioPressure?.someUsec, r.ioPressure?.someUsec, dt));
  out.set('cgroup.memory.high_events', id, counterDelta(p.memoryHighEvents, r.memoryHighEvents));
  out.set('cgroup.memory.max_events', id, counterDelta(p.memoryMaxEvents, r.memoryMaxEvents));
  out.set('cgroup.memory.oom_kills', id, counterDelta(p.oomKills, r.oomKills));
  out.set('cgroup.io.read_bps', id, counterRate(p.ioReadBytes, r.ioReadBytes, dt));
  out.set('cgroup.io.write_bps', id, counterRate(p.ioWriteBytes, r.ioWriteBytes, dt));
  const reads = counterDelta(p.ioReads, r.ioReads);
  const writes = counterDelta(p.ioWrites, r.ioWrites);
  if (reads !== undefined && writes !== undefined) out.set('cgroup.io.ops_ps', id, (reads + writes) / dt);
  out.set('cgroup.pids.fork_failures', id, counterDelta(p.pidsMaxEvents, r.pidsMaxEvents));
}

/** Who a cgroup is and what it may use, for Frame.cgroups: names sanitised and bounded. */
export function cgroupEntry(r: CgroupReading): CgroupEntry {
  const { identity } = r;
  const entry: CgroupEntry = {
    id: identity.id,
    name: sanitizeText(identity.name, NAME_MAX) || sanitizeText(identity.id, NAME_MAX),
    kind: identity.kind,
  };
  if (identity.runtime !== undefined) entry.runtime = identity.runtime;
  if (identity.container !== undefined) entry.container = sanitizeText(identity.container, PART_MAX);
  if (identity.pod !== undefined) entry.pod = sanitizeText(identity.pod, POD_MAX);
  if (identity.namespace !== undefined) entry.namespace = sanitizeText(identity.namespace, PART_MAX);
  const cpuLimit = cpuQuotaCpus(r);
  if (cpuLimit !== undefined) entry.cpuLimit = cpuLimit;
  if (r.memoryMaxBytes !== undefined) entry.memoryMaxBytes = r.memoryMaxBytes;
  if (r.memoryHighBytes !== undefined) entry.memoryHighBytes = r.memoryHighBytes;
  if (r.pidsMax !== undefined) entry.pidsMax = r.pidsMax;
  if (r.processes !== undefined) entry.processes = r.processes;
  return entry;
}
