import type { CgroupCounters, CgroupEntry } from '../../model/cgroup.js';
import { type Frame, metricInstances } from '../../model/frame.js';
import { carriedCgroups } from '../carried-cgroups.js';
import type { Attributes, InstrumentDef, Push } from './host-observations.js';

/**
 * The carried workload cgroups (`Frame.cgroups`, trimmed to the top N plus every cgroup with an
 * active finding) under OpenTelemetry's container metric conventions, where the conventions name
 * the quantity: `container.cpu.time`, `container.cpu.usage`, `container.memory.usage`,
 * `container.memory.working_set`, `container.disk.io`. The conventions have no names for CPU
 * throttling, OOM kills, pressure stalls or tasks: those go under `usewatch.cgroup.*` with the same
 * attributes. Instrument kinds and units are the conventions' (container.memory.usage is a Counter
 * there, so it is one here).
 */
export const CONTAINER_INSTRUMENTS: readonly InstrumentDef[] = [
  { name: 'container.cpu.time', kind: 'counter', unit: 's', description: 'CPU time consumed by the cgroup' },
  { name: 'container.cpu.usage', kind: 'gauge', unit: '{cpu}', description: 'CPU used by the cgroup, in CPUs' },
  { name: 'container.memory.usage', kind: 'counter', unit: 'By', description: 'Memory charged to the cgroup' },
  {
    name: 'container.memory.working_set',
    kind: 'updown',
    unit: 'By',
    description: 'Memory charged to the cgroup less inactive file pages',
  },
  { name: 'container.disk.io', kind: 'counter', unit: 'By', description: 'Block device bytes, all devices' },
  {
    name: 'usewatch.cgroup.cpu.periods',
    kind: 'counter',
    unit: '{period}',
    description: 'CFS enforcement periods of a cgroup with a CPU quota',
  },
  {
    name: 'usewatch.cgroup.cpu.throttled_periods',
    kind: 'counter',
    unit: '{period}',
    description: 'CFS periods in which the cgroup was throttled by its CPU quota',
  },
  {
    name: 'usewatch.cgroup.cpu.throttled_time',
    kind: 'counter',
    unit: 's',
    description: "Time the cgroup's threads were throttled by its CPU quota",
  },
  { name: 'usewatch.cgroup.memory.limit', kind: 'updown', unit: 'By', description: 'memory.max of the cgroup' },
  {
    name: 'usewatch.cgroup.memory.oom_kills',
    kind: 'counter',
    unit: '{process}',
    description: 'Processes of the cgroup killed by the OOM killer',
  },
  {
    name: 'usewatch.cgroup.pressure.stall_time',
    kind: 'counter',
    unit: 's',
    description: 'PSI stall time of the cgroup by resource (cpu, memory, io) and level (some, full)',
  },
  {
    name: 'usewatch.cgroup.tasks',
    kind: 'updown',
    unit: '{thread}',
    description: 'Tasks in the cgroup (pids.current)',
  },
];

const CONTAINER_ID = /[0-9a-f]{64}/;

/** The runtime's container id: the 64 hex digits docker, podman, containerd and CRI-O put in the cgroup's last path segment. */
export function containerIdOf(entry: CgroupEntry): string | undefined {
  if (entry.kind !== 'container') return undefined;
  return CONTAINER_ID.exec(entry.id.slice(entry.id.lastIndexOf('/') + 1))?.[0];
}

/**
 * The conventions' resource attributes where known: a Kubernetes container is named by
 * `k8s.container.name`, any other container by `container.name`; systemd units by usewatch's own.
 */
export function cgroupAttributes(entry: CgroupEntry): Attributes {
  const attrs: Attributes = { 'usewatch.cgroup.path': entry.id, 'usewatch.cgroup.name': entry.name };
  const id = containerIdOf(entry);
  if (id) attrs['container.id'] = id;
  const inPod = entry.pod !== undefined;
  if (entry.container) attrs[inPod ? 'k8s.container.name' : 'container.name'] = entry.container;
  if (entry.pod) attrs['k8s.pod.name'] = entry.pod;
  if (entry.namespace) attrs['k8s.namespace.name'] = entry.namespace;
  if (entry.runtime && entry.runtime !== 'systemd' && entry.runtime !== 'kubernetes') {
    attrs['container.runtime.name'] = entry.runtime;
  }
  return attrs;
}

/**
 * "A container's CPU metric SHOULD be characterized either by data points with no mode labels, or
 * only data points with mode labels": user and kernel when both are known, else the total alone.
 */
function observeCpuTime(k: CgroupCounters, attrs: Attributes, push: Push): void {
  if (k.cpuUserSeconds !== undefined && k.cpuSystemSeconds !== undefined) {
    push('container.cpu.time', k.cpuUserSeconds, { ...attrs, 'cpu.mode': 'user' });
    push('container.cpu.time', k.cpuSystemSeconds, { ...attrs, 'cpu.mode': 'kernel' });
  } else {
    push('container.cpu.time', k.cpuUsageSeconds, attrs);
  }
}

function observeCounters(entry: CgroupEntry, k: CgroupCounters, attrs: Attributes, push: Push): void {
  observeCpuTime(k, attrs, push);
  push('container.memory.usage', k.memoryUsageBytes, attrs);
  push('container.memory.working_set', k.memoryWorkingSetBytes, attrs);
  push('container.disk.io', k.ioReadBytes, { ...attrs, 'disk.io.direction': 'read' });
  push('container.disk.io', k.ioWriteBytes, { ...attrs, 'disk.io.direction': 'write' });
  if (entry.cpuLimit !== undefined) {
    push('usewatch.cgroup.cpu.periods', k.cfsPeriods, attrs);
    push('usewatch.cgroup.cpu.throttled_periods', k.cfsThrottledPeriods, attrs);
    push('usewatch.cgroup.cpu.throttled_time', k.cfsThrottledSeconds, attrs);
  }
  push('usewatch.cgroup.memory.limit', k.memoryLimitBytes ?? entry.memoryMaxBytes, attrs);
  push('usewatch.cgroup.memory.oom_kills', k.oomKills, attrs);
  push('usewatch.cgroup.tasks', k.pids, attrs);
  for (const resource of ['cpu', 'memory', 'io'] as const) {
    const psi = k.pressureSeconds?.[resource];
    push('usewatch.cgroup.pressure.stall_time', psi?.some, { ...attrs, resource, level: 'some' });
    push('usewatch.cgroup.pressure.stall_time', psi?.full, { ...attrs, resource, level: 'full' });
  }
}

/** Every container observation of a frame: counters from `HostCounters.cgroups`, CPU usage from the cgroup.cpu.usage metric. */
export function observeContainers(frame: Frame, push: Push): void {
  const usage = metricInstances(frame.metrics, 'cgroup.cpu.usage');
  for (const { entry, counters } of carriedCgroups(frame)) {
    const attrs = cgroupAttributes(entry);
    push('container.cpu.usage', usage?.[entry.id], attrs);
    if (counters) observeCounters(entry, counters, attrs, push);
  }
}
