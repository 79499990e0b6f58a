import { Histogram, type Metric, Registry } from 'prom-client';
import type { Frame } from '../../model/frame.js';
import { type FamilySpec, FrameFamily } from './family.js';
import { dynamicShape, meminfoFamily, meminfoFields, netstatFamily, netstatFamilyNames, nodeFamilies } from './node.js';
import { processFamilies } from './self.js';
import { type RuntimeCounters, usewatchFamilies } from './usewatch.js';

export interface PrometheusExporterOptions {
  /** The latest frame, read at scrape time (FrameBus.latest). */
  latest: () => Frame | undefined;
  version: string;
  /** Per-process series for the top N processes by CPU and by memory; 0 = none (the default). */
  topProcesses?: number;
  runtime?: RuntimeCounters;
}

export interface PrometheusExporter {
  readonly registry: Registry;
  /** The exposition text (format 0.0.4) of the latest frame. */
  render(): Promise<{ contentType: string; body: string }>;
}

/**
 * The /metrics output: a registry of its own whose families read the latest frame when scraped,
 * so ticks never pay for Prometheus and a scrape never sees a half-updated frame.
 */
export function createPrometheusExporter(opts: PrometheusExporterOptions): PrometheusExporter {
  // Text format 0.0.4 only: an OpenMetrics registry renames counters for every registry sharing them.
  const registry = new Registry();
  const register = (spec: FamilySpec) =>
    registry.registerMetric(new FrameFamily(spec, opts.latest) as unknown as Metric);
  for (const spec of nodeFamilies) register(spec);
  for (const spec of usewatchFamilies({
    version: opts.version,
    topProcesses: opts.topProcesses ?? 0,
    runtime: opts.runtime ?? {},
  })) {
    register(spec);
  }
  for (const spec of processFamilies) register(spec);
  const scrapeDuration = new Histogram({
    name: 'usewatch_scrape_duration_seconds',
    help: 'Time taken to render /metrics.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05],
    registers: [registry],
  });

  // meminfo and netstat fields differ between kernels: their families are registered when first seen.
  // The field sets do not change while the kernel runs, so they are looked at again only when their
  // sizes change.
  const dynamic = new Set<string>();
  let seenShape = '';
  const registerDynamic = (frame: Frame) => {
    const shape = dynamicShape(frame);
    if (shape === seenShape) return;
    seenShape = shape;
    for (const field of meminfoFields(frame)) {
      const key = `meminfo:${field}`;
      if (dynamic.has(key)) continue;
      dynamic.add(key);
      register(meminfoFamily(field));
    }
    for (const name of netstatFamilyNames(frame)) {
      const key = `netstat:${name}`;
      if (dynamic.has(key)) continue;
      dynamic.add(key);
      register(netstatFamily(name));
    }
  };

  return {
    registry,
    async render() {
      const end = scrapeDuration.startTimer();
      const frame = opts.latest();
      if (frame) registerDynamic(frame);
      const body = await registry.metrics();
      end();
      return { contentType: registry.contentType, body };
    },
  };
}
