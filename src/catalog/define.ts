import type { Resource } from '../model/frame.js';
import type { InstanceKind, MetricDef, MetricFields } from './types.js';

/**
 * The entry maker of one resource and instance kind. The name keeps its literal type (a `const`
 * type parameter), so that the catalog arrays spell out every name and `MetricName` is their union.
 */
export function metricsOf(resource: Resource, instance: InstanceKind) {
  return <const N extends string>(fields: MetricFields<N>): MetricDef<N> => ({ ...fields, resource, instance });
}

/** A host-wide pressure stall share from the "some" or "full" line of /proc/pressure/<file>, set by the resource's deriver. */
export function pressureMetric<const N extends string>(
  name: N,
  resource: Resource,
  file: 'cpu' | 'memory' | 'io' | 'irq',
  line: 'some' | 'full',
  description: string,
): MetricDef<N> {
  return {
    name,
    resource,
    instance: 'host',
    unit: 'ratio',
    description,
    source: `/proc/pressure/${file} ${line} total`,
    formula: 'Δtotal_µs / Δt_µs',
  };
}

/** A host-wide count of kernel-log records matching known error patterns, counted by src/derive/kmsg.ts. */
export function kernelLogMetric<const N extends string>(
  name: N,
  resource: Resource,
  description: string,
  patterns: string,
): MetricDef<N> {
  return {
    name,
    resource,
    instance: 'host',
    unit: 'count',
    description: `${description} (needs CAP_SYSLOG when kernel.dmesg_restrict=1; not set when denied)`,
    source: '/dev/kmsg',
    formula: `records matching ${patterns} first seen in the interval`,
  };
}
