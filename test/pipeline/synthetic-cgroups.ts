import type { CgroupIdentity, CgroupReading, CgroupsSample } from '../../collectors/cgroup/sample.js';
import type { Collector } from '../../collectors/collector.js';

/** A 64-hex-digit container id that differs per index, as docker and containerd name them. */
const hex64 = (i: number) => (i.toString(16).padStart(8, '0') + 'c0ffee5ca1ab1e'.repeat(4)).slice(0, 64);

/** Workload cgroups as hosts name them: a third systemd services, a third docker scopes, a third kubepods containers. */
function identity(i: number): CgroupIdentity {
  switch (i % 3) {
    case 0:
      return {
        id: `/system.slice/service-${i}.service`,
        kind: 'service',
        name: `service-${i}.service`,
        runtime: 'systemd',
      };
    case 1:
      return {
        id: `/system.slice/docker-${hex64(i)}.scope`,
        kind: 'container',
        name: `web-${i}`,
        runtime: 'docker',
        containerId: hex64(i),
        container: `web-${i}`,
      };
    default:
      return {
        id: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${hex64(i).slice(0, 32)}.slice/cri-containerd-${hex64(i)}.scope`,
        kind: 'container',
        name: `shop/checkout-7d9f8b6c5-x2k4p/app-${i}`,
        runtime: 'kubernetes',
        container: `app-${i}`,
        pod: 'checkout-7d9f8b6c5-x2k4p',
        namespace: 'shop',
      };
  }
}

/** Cgroup i on tick t: every counter moving at a rate of its own, every limit set. */
function syntheticReading(i: number, t: number): CgroupReading {
  const rate = (i % 17) + 1;
  return {
    identity: identity(i),
    cpuUsageUsec: t * rate * 37_123,
    cpuUserUsec: t * rate * 30_000,
    cpuSystemUsec: t * rate * 7_123,
    nrPeriods: t * 10,
    nrThrottled: t * (i % 3),
    throttledUsec: t * rate * 1_234,
    cpuQuotaUsec: 200_000,
    cpuPeriodUsec: 100_000,
    memoryCurrentBytes: 104_857_600 + (i % 50) * 1_234_567,
    memoryMaxBytes: 1_073_741_824,
    memoryHighBytes: 805_306_368,
    inactiveFileBytes: 12_345_678,
    memoryHighEvents: t * (i % 2),
    memoryMaxEvents: 0,
    oomEvents: 0,
    oomKills: 0,
    ioReadBytes: t * rate * 40_960,
    ioWriteBytes: t * rate * 81_920,
    ioReads: t * rate * 10,
    ioWrites: t * rate * 20,
    pidsCurrent: 10 + (i % 50),
    pidsMax: 4096,
    pidsMaxEvents: 0,
    cpuPressure: { someUsec: t * rate * 1_111 },
    memoryPressure: { someUsec: t * 11, fullUsec: t * 7 },
    ioPressure: { someUsec: t * rate * 2_222, fullUsec: t * rate * 1_111 },
    processes: 1 + (i % 9),
  };
}

/** A collector of `count` synthetic workload cgroups whose counters advance one step per read. */
export function syntheticCgroupCollector(count: number): Collector<CgroupsSample> {
  let tick = 0;
  return {
    name: 'cgroups',
    read() {
      tick++;
      return { cgroups: Array.from({ length: count }, (_, i) => syntheticReading(i, tick)) };
    },
  };
}

/** A collector that returns the given samples in turn, then the last one again. */
export function scriptedCgroupCollector(samples: CgroupsSample[]): Collector<CgroupsSample> {
  let i = 0;
  return { name: 'cgroups', read: () => samples[Math.min(i++, samples.length - 1)] };
}
