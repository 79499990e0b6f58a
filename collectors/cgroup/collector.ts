import type { Collector } from '../collector.js';
import type { CgroupActivityHint } from './activity.js';
import { CgroupReader, type CgroupReaderOptions } from './read.js';
import type { CgroupDiscovery, CgroupReading, CgroupsSample, WorkloadCgroup } from './sample.js';

/** The cgroup collector, told before each read what the tick knows of the cgroups' activity. */
export interface CgroupCollector extends Collector<CgroupsSample> {
  /** The hint for the next read; a read without one reads every cgroup. */
  hint?(hint: CgroupActivityHint): void;
}

/**
 * The workload cgroups of the host, each read into a CgroupReading (read.ts): discovery says which
 * cgroups there are (and re-walks the hierarchies at its own pace), the reader reads them.
 */
export function createCgroupCollector(discovery: CgroupDiscovery, options: CgroupReaderOptions = {}): CgroupCollector {
  const reader = new CgroupReader(options);
  let hint: CgroupActivityHint | undefined;
  return {
    name: 'cgroups',
    hint(next) {
      hint = next;
    },
    read(log) {
      const workloads = discovery.workloads(log);
      reader.startTick(log.fs, hint && usableHint(hint, workloads));
      hint = undefined;
      const cgroups: CgroupReading[] = [];
      for (const cg of workloads) {
        const reading = reader.read(log, cg);
        if (reading !== undefined) cgroups.push(reading);
      }
      reader.endTick(log);
      return { cgroups };
    },
  };
}

/**
 * The hint without its process activity where that cannot speak for the v2 cpu.stat: a process is
 * placed in a container found on a v1 hierarchy first (proc-cgroup.ts), so while a container has no
 * v2 directory (docker's cgroupfs driver on a hybrid host) its processes' v2 cgroups are unknown.
 */
function usableHint(hint: CgroupActivityHint, workloads: readonly WorkloadCgroup[]): CgroupActivityHint {
  if (hint.active === undefined) return hint;
  for (const w of workloads) {
    if (w.v2Dir === undefined && w.identity.kind === 'container') return { watched: hint.watched };
  }
  return hint;
}
