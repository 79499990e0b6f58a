import { cgroupMetrics } from './cgroups.js';
import { cpuMetrics } from './cpu.js';
import { diskMetrics } from './disk.js';
import { filesystemMetrics } from './filesystem.js';
import { kernelMetrics } from './kernel.js';
import { memoryMetrics } from './memory.js';
import { networkMetrics } from './network.js';
import { processMetrics } from './processes.js';
import type { MetricDef } from './types.js';

export type { InstanceKind, MetricDef, Unit } from './types.js';

const definitions = [
  ...cpuMetrics,
  ...memoryMetrics,
  ...diskMetrics,
  ...networkMetrics,
  ...filesystemMetrics,
  ...kernelMetrics,
  ...processMetrics,
  ...cgroupMetrics,
];

/**
 * Every name in the catalog, as a type: code that names a metric by literal (derivers, views,
 * reports) fails to compile on a misspelt name. Names from outside the code (checklist files,
 * recordings, the feed) are strings until `isMetricName` or a catalog lookup accepts them.
 */
export type MetricName = (typeof definitions)[number]['name'];

/** Every metric usewatch derives. Checklist rules, the USE matrix and outputs refer only to these names. */
export const catalog: readonly MetricDef<MetricName>[] = definitions;

/** Keyed by string: it is where runtime names (checklists, recordings) are checked against the catalog. */
export const catalogByName: ReadonlyMap<string, MetricDef<MetricName>> = new Map(catalog.map((m) => [m.name, m]));

export function isMetricName(name: string): name is MetricName {
  return catalogByName.has(name);
}
