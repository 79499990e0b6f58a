/**
 * Workload cgroups as frames carry them: systemd services, scopes and slices, containers and pods.
 * Their measured values are catalog metrics (`cgroup.*`, instance = the cgroup's `id`) in
 * `Frame.metrics`; an entry here says who the cgroup is and what it is allowed. A frame carries
 * only the top cgroups by activity plus every cgroup with an active finding (see docs/cgroups.md).
 */

/** What kind of unit owns the cgroup, as people name it. */
export type CgroupKind = 'service' | 'scope' | 'slice' | 'container' | 'pod';

/** Who made the cgroup, when its path or local runtime files tell. */
export type CgroupRuntime = 'systemd' | 'docker' | 'podman' | 'containerd' | 'cri-o' | 'kubernetes';

export interface CgroupEntry {
  /**
   * The cgroup's path below the hierarchy root ("/system.slice/nginx.service"): unique on the host,
   * the instance of its metrics and findings and the `id` label of its Prometheus series.
   */
  id: string;
  /** What people call it: the unit name, the container name, "namespace/pod/container". Sanitised. */
  name: string;
  kind: CgroupKind;
  runtime?: CgroupRuntime;
  /** Sanitised names where the runtime's files give them. */
  container?: string;
  pod?: string;
  namespace?: string;
  /** Limits in effect; absent when unlimited or unreadable. */
  cpuLimit?: number;
  memoryMaxBytes?: number;
  memoryHighBytes?: number;
  pidsMax?: number;
  /** Processes in the cgroup and its children, when counted. */
  processes?: number;
}

/**
 * A cgroup ranked as a culprit of a finding (host-wide findings rank cgroups as they rank
 * processes), with its figure for the finding's measure.
 */
export interface CgroupCulprit {
  id: string;
  name: string;
  /** The cgroup's value of the ranking measure, in `unit`. */
  value: number;
  unit: string;
}

/**
 * Cumulative counters of one carried cgroup, in export units (seconds, bytes), for Prometheus'
 * cAdvisor names and OTLP's container conventions. In-process only, like the rest of HostCounters.
 */
export interface CgroupCounters {
  id: string;
  cpuUsageSeconds?: number;
  cpuUserSeconds?: number;
  cpuSystemSeconds?: number;
  cfsPeriods?: number;
  cfsThrottledPeriods?: number;
  cfsThrottledSeconds?: number;
  memoryUsageBytes?: number;
  memoryWorkingSetBytes?: number;
  /** memory.max (v1 memory.limit_in_bytes); absent when unlimited. */
  memoryLimitBytes?: number;
  /** memory.events oom_kill (v1 memory.oom_control oom_kill). */
  oomKills?: number;
  /** memory.events oom. */
  oomEvents?: number;
  ioReadBytes?: number;
  ioWriteBytes?: number;
  ioReads?: number;
  ioWrites?: number;
  pids?: number;
  pidsLimit?: number;
  /** PSI stall totals in seconds ("some" and "full" lines of cpu|memory|io.pressure). */
  pressureSeconds?: {
    cpu?: { some: number; full?: number };
    memory?: { some: number; full: number };
    io?: { some: number; full: number };
  };
}
