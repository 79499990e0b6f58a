import type { Collector } from '../collector.js';
import { CgroupReader, type CgroupReaderOptions } from './read.js';
import type { CgroupDiscovery, CgroupReading, CgroupsSample } from './sample.js';

/**
 * The workload cgroups of the host, each read into a CgroupReading (read.ts): discovery says which
 * cgroups there are (and re-walks the hierarchies at its own pace), the reader reads them.
 */
export function createCgroupCollector(
  discovery: CgroupDiscovery,
  options: CgroupReaderOptions = {},
): Collector<CgroupsSample> {
  const reader = new CgroupReader(options);
  return {
    name: 'cgroups',
    read(log) {
      const workloads = discovery.workloads(log);
      reader.startTick(log.fs);
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
