import type { CgroupCounters, CgroupEntry } from '../../src/model/cgroup.js';
import { FRAME_SCHEMA, type Frame } from '../../src/model/frame.js';

export const DOCKER_ID = '3f4e2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f';
export const CRI_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

/**
 * Three carried cgroups as the contract types describe them: a systemd service with a CPU quota
 * (its unit name escaped by systemd, with a backslash), a docker container with a memory limit and
 * one OOM kill, and a Kubernetes container with its pod and namespace.
 */
export const CGROUPS: CgroupEntry[] = [
  {
    id: '/system.slice/app\\x2dapi.service',
    name: 'app\\x2dapi.service',
    kind: 'service',
    runtime: 'systemd',
    cpuLimit: 0.5,
    pidsMax: 4915,
    processes: 3,
  },
  {
    id: `/system.slice/docker-${DOCKER_ID}.scope`,
    name: 'web',
    kind: 'container',
    runtime: 'docker',
    container: 'web',
    memoryMaxBytes: 268_435_456,
    processes: 4,
  },
  {
    id: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7c1e.slice/cri-containerd-${CRI_ID}.scope`,
    name: 'shop/cart-7d9f/cart',
    kind: 'container',
    runtime: 'containerd',
    container: 'cart',
    pod: 'cart-7d9f',
    namespace: 'shop',
    cpuLimit: 2,
    memoryMaxBytes: 536_870_912,
    processes: 2,
  },
];

export const COUNTERS: CgroupCounters[] = [
  {
    id: CGROUPS[0].id,
    cpuUsageSeconds: 1234.5,
    cpuUserSeconds: 1000.25,
    cpuSystemSeconds: 234.25,
    cfsPeriods: 50_000,
    cfsThrottledPeriods: 15_000,
    cfsThrottledSeconds: 321.75,
    memoryUsageBytes: 104_857_600,
    memoryWorkingSetBytes: 73_400_320,
    oomKills: 0,
    ioReadBytes: 1_048_576,
    ioWriteBytes: 2_097_152,
    ioReads: 256,
    ioWrites: 512,
    pids: 12,
    pidsLimit: 4915,
    pressureSeconds: { cpu: { some: 12.5, full: 3.25 }, memory: { some: 0.5, full: 0.25 }, io: { some: 2, full: 1.5 } },
  },
  {
    id: CGROUPS[1].id,
    cpuUsageSeconds: 55.5,
    cpuUserSeconds: 50,
    cpuSystemSeconds: 5.5,
    // No quota: cAdvisor writes no CFS series for it, whatever cpu.stat says.
    cfsPeriods: 0,
    cfsThrottledPeriods: 0,
    cfsThrottledSeconds: 0,
    memoryUsageBytes: 268_000_000,
    memoryWorkingSetBytes: 260_000_000,
    memoryLimitBytes: 268_435_456,
    oomKills: 1,
    oomEvents: 1,
    pids: 4,
  },
  {
    id: CGROUPS[2].id,
    cpuUsageSeconds: 7200,
    cfsPeriods: 3_600_000,
    cfsThrottledPeriods: 1_200_000,
    cfsThrottledSeconds: 540.125,
    memoryUsageBytes: 400_000_000,
    memoryWorkingSetBytes: 350_000_000,
    memoryLimitBytes: 536_870_912,
    oomKills: 0,
    ioReadBytes: 0,
    ioWriteBytes: 4096,
    pids: 9,
    pidsLimit: 1024,
    pressureSeconds: { cpu: { some: 900.5 }, io: { some: 0.125, full: 0.0625 } },
  },
];

/** A frame carrying the three cgroups, their counters and their CPU usage metric. */
export function cgroupFrame(overrides: Partial<Frame> = {}): Frame {
  return {
    schema: FRAME_SCHEMA,
    seq: 2,
    ts: Date.UTC(2026, 11, 5, 12, 0, 0),
    intervalMs: 1000,
    host: { hostname: 'node-1', kernel: '6.1.0', cpus: 4, agentVersion: '0.1.0' },
    metrics: {
      'cgroup.cpu.usage': { [CGROUPS[0].id]: 0.5, [CGROUPS[1].id]: 0.02, [CGROUPS[2].id]: 1.75 },
    },
    use: [],
    findings: [],
    events: [],
    processes: [],
    kernelEvents: [],
    sources: [],
    cgroups: CGROUPS,
    self: { tickMs: 3, tickCpuMs: 2, collectors: [], skippedTicks: 0, rssBytes: 5e7 } as Frame['self'],
    counters: { cgroups: COUNTERS },
    ...overrides,
  };
}
