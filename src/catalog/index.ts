import { cpuMetrics } from './cpu.js';
import { diskMetrics } from './disk.js';
import { filesystemMetrics } from './filesystem.js';
import { kernelMetrics } from './kernel.js';
import { memoryMetrics } from './memory.js';
import { networkMetrics } from './network.js';
import { processMetrics } from './processes.js';
import type { MetricDef } from './types.js';

export type { InstanceKind, MetricDef, Unit } from './types.js';

/** Every metric usewatch derives. Checklist rules, the USE matrix and outputs refer only to these names. */
export const catalog: readonly MetricDef[] = [
  ...cpuMetrics,
  ...memoryMetrics,
  ...diskMetrics,
  ...networkMetrics,
  ...filesystemMetrics,
  ...kernelMetrics,
  ...processMetrics,
];

export const catalogByName: ReadonlyMap<string, MetricDef> = new Map(catalog.map((m) => [m.name, m]));
