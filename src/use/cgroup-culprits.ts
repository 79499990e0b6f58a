import { catalogByName, type MetricName } from '../catalog/index.js';
import type { Drilldown } from '../checklist/schema.js';
import type { CgroupCulprit } from '../model/cgroup.js';
import type { MetricValues } from '../model/frame.js';

/**
 * The cgroup figure that answers a drilldown: what the cgroup uses of the resource a process
 * ranking looks at. CPU saturation (run_delay) is caused by the cgroups using the CPUs; major faults
 * and swap-ins are memory stalls, which the cgroup's memory pressure counts. File descriptors have
 * no cgroup figure.
 */
const CGROUP_MEASURE: Partial<Record<Drilldown, readonly MetricName[]>> = {
  cpu: ['cgroup.cpu.usage'],
  run_delay: ['cgroup.cpu.usage'],
  memory: ['cgroup.memory.working_set'],
  faults: ['cgroup.memory.pressure'],
  io: ['cgroup.io.read_bps', 'cgroup.io.write_bps'],
  threads: ['cgroup.pids.current'],
};

/**
 * The top n cgroups by the drilldown's measure (the sum of its metrics), each named, leaving out
 * those at 0 or unmeasured; ties go by id so that the list is stable.
 */
export function rankCgroups(
  metrics: MetricValues,
  names: ReadonlyMap<string, string>,
  drilldown: Drilldown,
  n: number,
): CgroupCulprit[] {
  const measure = CGROUP_MEASURE[drilldown];
  if (measure === undefined || names.size === 0) return [];
  const unit = catalogByName.get(measure[0])?.unit ?? '';
  const totals = new Map<string, number>();
  for (const name of measure) {
    const byId = metrics[name];
    if (byId === undefined) continue;
    for (const id in byId) if (names.has(id)) totals.set(id, (totals.get(id) ?? 0) + byId[id]);
  }
  return [...totals]
    .filter(([, value]) => value > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, Math.max(0, n))
    .map(([id, value]) => ({ id, name: names.get(id) ?? id, value, unit }));
}
