import type { Resource } from '../model/frame.js';

/** Units as they appear in the catalog; views convert (ratios are shown as percent). */
export type Unit =
  | 'ratio'
  | 'count'
  | 'per_s'
  | 'bytes'
  | 'bytes_per_s'
  | 'bits_per_s'
  | 'ms'
  | 'seconds'
  | 'hours'
  | 'threads'
  | 'cpus';

/** What the metric's instances are: "" for host-wide, otherwise the key of the row. */
export type InstanceKind = 'host' | 'cpu' | 'disk' | 'nic' | 'mount' | 'cgroup';

/** What one catalog entry says about its metric, apart from the resource and instance kind it shares with its family. */
export interface MetricFields<N extends string = string> {
  /** The dotted name; its literal type makes `MetricName` (src/catalog/index.ts). */
  name: N;
  unit: Unit;
  /**
   * A ratio against a capacity (load per CPU, memory against a pressure point) that can pass 1.
   * Other ratios are shares 0–1, and a checklist threshold above 1 on them is refused.
   */
  canExceedOne?: true;
  /** One line for humans. */
  description: string;
  /** The /proc or /sys file(s) it comes from. */
  source: string;
  /** How it is computed; Δ means the increase between two samples, Δt the interval in seconds. */
  formula: string;
}

export interface MetricDef<N extends string = string> extends MetricFields<N> {
  resource: Resource;
  instance: InstanceKind;
}
