import type { CgroupCounters } from '../../model/cgroup.js';
import type { Frame } from '../../model/frame.js';
import { type CarriedCgroup, carriedCgroups } from '../carried-cgroups.js';
import type { FamilySpec } from './family.js';

/**
 * Per workload cgroup families under cAdvisor's names, units and labels, so that cAdvisor-based
 * dashboards and kubernetes-mixin expressions read them: one series per carried cgroup
 * (`Frame.cgroups`, already trimmed to the top N plus every cgroup with an active finding), values
 * from the frame's counters section (`HostCounters.cgroups`, same order, export units).
 *
 * cAdvisor's conventions kept here: the CFS families only for a cgroup with a CPU quota; 0 for an
 * unlimited memory or thread limit; `container_cpu_usage_seconds_total` with `cpu="total"`, as the
 * kubelet writes it. A family no carried cgroup has a value for is left out, HELP and TYPE included.
 * Device-level series (`device` label) are not written: io.stat is summed over devices upstream.
 */

interface ContainerFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  value(c: CarriedCgroup): number | undefined;
  /** `cpu="total"` after the cgroup's own labels. */
  cpuTotal?: true;
}

const quotaOnly =
  (pick: (k: CgroupCounters) => number | undefined) =>
  (c: CarriedCgroup): number | undefined =>
    c.entry.cpuLimit === undefined || c.counters === undefined ? undefined : pick(c.counters);

/** cAdvisor writes 0 for "no limit"; a limit is only reported where the usage beside it was read. */
function limitOrZero(limit: number | undefined, usage: number | undefined): number | undefined {
  return limit ?? (usage === undefined ? undefined : 0);
}

const counter = (name: string, help: string, value: ContainerFamily['value']): ContainerFamily => ({
  name,
  help,
  type: 'counter',
  value,
});
const gauge = (name: string, help: string, value: ContainerFamily['value']): ContainerFamily => ({
  name,
  help,
  type: 'gauge',
  value,
});

type PsiResource = 'cpu' | 'memory' | 'io';

function pressureFamily(resource: PsiResource, kind: 'some' | 'full'): ContainerFamily {
  return counter(
    `container_pressure_${resource}_${kind === 'some' ? 'waiting' : 'stalled'}_seconds_total`,
    kind === 'some'
      ? `Total time in seconds some of the cgroup's tasks waited for ${resource} (PSI "some" total).`
      : `Total time in seconds none of the cgroup's tasks could make progress for lack of ${resource} (PSI "full" total).`,
    (c) => c.counters?.pressureSeconds?.[resource]?.[kind],
  );
}

const FAMILIES: readonly ContainerFamily[] = [
  {
    ...counter(
      'container_cpu_usage_seconds_total',
      'Cumulative CPU time consumed by the cgroup in seconds (cpu.stat usage_usec).',
      (c) => c.counters?.cpuUsageSeconds,
    ),
    cpuTotal: true,
  },
  counter(
    'container_cpu_user_seconds_total',
    'Cumulative user CPU time consumed by the cgroup in seconds.',
    (c) => c.counters?.cpuUserSeconds,
  ),
  counter(
    'container_cpu_system_seconds_total',
    'Cumulative system (kernel) CPU time consumed by the cgroup in seconds.',
    (c) => c.counters?.cpuSystemSeconds,
  ),
  counter(
    'container_cpu_cfs_periods_total',
    'Number of elapsed CFS enforcement periods of a cgroup with a CPU quota.',
    quotaOnly((k) => k.cfsPeriods),
  ),
  counter(
    'container_cpu_cfs_throttled_periods_total',
    'Number of CFS enforcement periods in which the cgroup was throttled by its CPU quota.',
    quotaOnly((k) => k.cfsThrottledPeriods),
  ),
  counter(
    'container_cpu_cfs_throttled_seconds_total',
    "Total time in seconds the cgroup's threads were throttled by its CPU quota.",
    quotaOnly((k) => k.cfsThrottledSeconds),
  ),
  gauge(
    'container_memory_usage_bytes',
    'Memory charged to the cgroup in bytes, page cache included (memory.current).',
    (c) => c.counters?.memoryUsageBytes,
  ),
  gauge(
    'container_memory_working_set_bytes',
    'Working set of the cgroup in bytes: memory.current minus inactive_file.',
    (c) => c.counters?.memoryWorkingSetBytes,
  ),
  gauge(
    'container_spec_memory_limit_bytes',
    'Memory limit of the cgroup in bytes (memory.max); 0 when unlimited.',
    (c) => limitOrZero(c.counters?.memoryLimitBytes ?? c.entry.memoryMaxBytes, c.counters?.memoryUsageBytes),
  ),
  counter(
    'container_oom_events_total',
    'Processes of the cgroup killed by the OOM killer (memory.events oom_kill).',
    (c) => c.counters?.oomKills,
  ),
  counter(
    'container_fs_reads_bytes_total',
    'Cumulative bytes the cgroup read from block devices, all devices (io.stat rbytes).',
    (c) => c.counters?.ioReadBytes,
  ),
  counter(
    'container_fs_writes_bytes_total',
    'Cumulative bytes the cgroup wrote to block devices, all devices (io.stat wbytes).',
    (c) => c.counters?.ioWriteBytes,
  ),
  counter(
    'container_fs_reads_total',
    'Cumulative read operations the cgroup issued to block devices, all devices (io.stat rios).',
    (c) => c.counters?.ioReads,
  ),
  counter(
    'container_fs_writes_total',
    'Cumulative write operations the cgroup issued to block devices, all devices (io.stat wios).',
    (c) => c.counters?.ioWrites,
  ),
  gauge('container_processes', 'Number of processes in the cgroup and its descendants.', (c) => c.entry.processes),
  gauge(
    'container_threads',
    'Number of threads (tasks) in the cgroup and its descendants (pids.current).',
    (c) => c.counters?.pids,
  ),
  gauge('container_threads_max', 'Maximum number of threads allowed in the cgroup (pids.max); 0 when unlimited.', (c) =>
    limitOrZero(c.counters?.pidsLimit ?? c.entry.pidsMax, c.counters?.pids),
  ),
  pressureFamily('cpu', 'full'),
  pressureFamily('cpu', 'some'),
  pressureFamily('memory', 'full'),
  pressureFamily('memory', 'some'),
  pressureFamily('io', 'full'),
  pressureFamily('io', 'some'),
];

/**
 * kubelet's label set (alphabetical, as client_golang writes it): `id` always, the others only
 * when known. An absent label and an empty one are the same series to Prometheus.
 */
const CGROUP_LABELS = ['container', 'id', 'name', 'namespace', 'pod'];
const CPU_TOTAL_LABELS = [...CGROUP_LABELS, 'cpu'];

/**
 * The container families as families of the exposition, each left out while no carried cgroup has
 * a value for it. The frame's carried cgroups are paired with their counters once per frame, for
 * all the families.
 */
export function containerFamilies(): FamilySpec[] {
  let paired: { frame: Frame; cgroups: CarriedCgroup[] } | undefined;
  const cgroupsOf = (frame: Frame): CarriedCgroup[] => {
    if (paired?.frame !== frame) paired = { frame, cgroups: carriedCgroups(frame) };
    return paired.cgroups;
  };
  return FAMILIES.map(({ name, help, type, value, cpuTotal }) => ({
    name,
    help,
    type,
    labels: cpuTotal ? CPU_TOTAL_LABELS : CGROUP_LABELS,
    omitEmpty: true,
    read(f, emit) {
      const cgroups = cgroupsOf(f);
      const cpu = cpuTotal ? 'total' : undefined;
      for (let i = 0; i < cgroups.length; i++) {
        const e = cgroups[i].entry;
        emit(
          value(cgroups[i]),
          e.container || undefined,
          e.id,
          e.name || undefined,
          e.namespace || undefined,
          e.pod || undefined,
          cpu,
        );
      }
    },
  }));
}
