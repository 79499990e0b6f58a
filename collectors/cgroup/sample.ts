import type { CgroupKind, CgroupRuntime } from '../../src/model/cgroup.js';
import type { SourceLog } from '../procfs.js';
import type { Counter } from '../types.js';

/** Who a workload cgroup is, from its path and, where present, local runtime files (raw text: derive sanitises). */
export interface CgroupIdentity {
  /** Path below the hierarchy root, "/system.slice/docker-3f2a….scope". */
  id: string;
  kind: CgroupKind;
  name: string;
  runtime?: CgroupRuntime;
  containerId?: string;
  container?: string;
  pod?: string;
  namespace?: string;
  /** The Kubernetes pod's uid, for a pod and for a container in one (known from the path alone). */
  podUid?: string;
}

/** v1 controllers read per cgroup. */
export type V1Controller = 'cpu' | 'cpuacct' | 'memory' | 'pids' | 'blkio';

/**
 * A workload cgroup found by discovery, with the directories (relative to the root given to the
 * ProcFs, e.g. "sys/fs/cgroup/unified/system.slice/x.service") its files are read from: the v2
 * directory when it exists (a pure v2 host, or the unified hierarchy of a hybrid one) and the v1
 * directory per controller on v1 and hybrid hosts.
 */
export interface WorkloadCgroup {
  identity: CgroupIdentity;
  v2Dir?: string;
  v1Dirs: Partial<Record<V1Controller, string>>;
}

/** Finds the host's workload cgroups; called every tick, it re-walks the hierarchies only as often as it needs. */
export interface CgroupDiscovery {
  workloads(log: SourceLog): readonly WorkloadCgroup[];
}

/** PSI totals of one cgroup pressure file, µs. */
export interface CgroupPressure {
  someUsec: Counter;
  fullUsec?: Counter;
}

/**
 * One cgroup's cumulative counters and gauges on one tick. A field is undefined when its file is
 * absent (controller not enabled, not in this hierarchy), denied or unparsable — each reported
 * through the SourceLog, never thrown.
 */
export interface CgroupReading {
  identity: CgroupIdentity;
  /** cpu.stat usage_usec (v1: cpuacct.usage ns / 1000), user_usec, system_usec. */
  cpuUsageUsec?: Counter;
  cpuUserUsec?: Counter;
  cpuSystemUsec?: Counter;
  /** cpu.stat nr_periods, nr_throttled, throttled_usec (v1 cpu.stat throttled_time ns / 1000). */
  nrPeriods?: Counter;
  nrThrottled?: Counter;
  throttledUsec?: Counter;
  /** cpu.max (v1 cpu.cfs_quota_us / cpu.cfs_period_us); quota undefined when "max" / -1. */
  cpuQuotaUsec?: number;
  cpuPeriodUsec?: number;
  /** memory.current (v1 memory.usage_in_bytes), memory.max / memory.high (undefined when "max"). */
  memoryCurrentBytes?: number;
  memoryMaxBytes?: number;
  memoryHighBytes?: number;
  /** memory.stat inactive_file (v1 total_inactive_file), for the working set. */
  inactiveFileBytes?: number;
  /** memory.events high, max, oom, oom_kill (v1: memory.failcnt as max, memory.oom_control oom_kill). */
  memoryHighEvents?: Counter;
  memoryMaxEvents?: Counter;
  oomEvents?: Counter;
  oomKills?: Counter;
  /** io.stat summed over devices (v1 blkio.throttle.io_service_bytes / io_serviced "Total"). */
  ioReadBytes?: Counter;
  ioWriteBytes?: Counter;
  ioReads?: Counter;
  ioWrites?: Counter;
  /** pids.current, pids.max (undefined when "max"), pids.events max. */
  pidsCurrent?: number;
  pidsMax?: number;
  pidsMaxEvents?: Counter;
  cpuPressure?: CgroupPressure;
  memoryPressure?: CgroupPressure;
  ioPressure?: CgroupPressure;
  /** Processes in cgroup.procs of the cgroup and its descendants, when counted. */
  processes?: number;
}

export interface CgroupsSample {
  cgroups: CgroupReading[];
}
