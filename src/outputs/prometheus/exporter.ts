import type { Frame } from '../../model/frame.js';
import { containerFamilies } from './container.js';
import { type FamilySpec, type FrameFamily, familyMaker } from './family.js';
import { Histogram } from './histogram.js';
import { dynamicShape, meminfoFamily, meminfoFields, netstatFamily, netstatFamilyNames, nodeFamilies } from './node.js';
import { type OpenFds, processFamilies } from './self.js';
import { CONTENT_TYPE, exposition } from './text-format.js';
import { type RuntimeCounters, usewatchFamilies } from './usewatch.js';

export interface PrometheusExporterOptions {
  /** The latest frame, read at scrape time (FrameBus.latest). */
  latest: () => Frame | undefined;
  version: string;
  /** Per-process series for the top N processes by CPU and by memory; 0 = none (the default). */
  topProcesses?: number;
  runtime?: RuntimeCounters;
  /**
   * The agent's own open descriptors for process_open_fds, counted by the caller (the agent passes
   * src/self/open-fds.ts): an output reads no /proc of its own.
   */
  openFds: OpenFds;
  /** Per-cgroup container_* families (docs/cgroups.md); on unless false. */
  cgroups?: boolean;
}

export interface PrometheusExporter {
  /** The exposition text (format 0.0.4) of the latest frame. */
  render(): Promise<{ contentType: string; body: string }>;
}

/**
 * The /metrics output: families that read the latest frame when scraped, written as text by
 * text-format.ts, so ticks never pay for Prometheus and a scrape never sees a half-updated frame
 * (one frame is read for the whole body). The scrape-duration histogram comes after the fixed
 * families, and the families that depend on the host's kernel after it, in the order first seen.
 * The per-cgroup container_* families come last, only while the frame carries cgroups.
 */
export function createPrometheusExporter(opts: PrometheusExporterOptions): PrometheusExporter {
  const family = familyMaker();
  const fixed = [
    ...nodeFamilies,
    ...usewatchFamilies({ version: opts.version, topProcesses: opts.topProcesses ?? 0, runtime: opts.runtime ?? {} }),
    ...processFamilies(opts.openFds),
  ].map(family);
  const scrapeDuration = new Histogram(
    'usewatch_scrape_duration_seconds',
    'Time taken to render /metrics.',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05],
  );
  const dynamic: FrameFamily[] = [];
  const addDynamic = dynamicFamilies((spec) => dynamic.push(family(spec)));

  return {
    async render() {
      const start = performance.now();
      const frame = opts.latest();
      if (frame) addDynamic(frame);
      const parts: string[] = [];
      for (let i = 0; i < fixed.length; i++) parts.push(fixed[i].render(frame));
      parts.push(scrapeDuration.render());
      for (let i = 0; i < dynamic.length; i++) parts.push(dynamic[i].render(frame));
      if (frame && opts.cgroups !== false) parts.push(...containerFamilies(frame));
      const body = exposition(parts);
      scrapeDuration.observe((performance.now() - start) / 1000);
      return { contentType: CONTENT_TYPE, body };
    },
  };
}

/**
 * meminfo and netstat fields differ between kernels: their families are added when first seen.
 * The field sets do not change while the kernel runs, so they are looked at again only when their
 * sizes change.
 */
function dynamicFamilies(add: (spec: FamilySpec) => void): (frame: Frame) => void {
  const seen = new Set<string>();
  let seenShape = '';
  const addOnce = (key: string, spec: () => FamilySpec) => {
    if (seen.has(key)) return;
    seen.add(key);
    add(spec());
  };
  return (frame) => {
    const shape = dynamicShape(frame);
    if (shape === seenShape) return;
    seenShape = shape;
    for (const field of meminfoFields(frame)) addOnce(`meminfo:${field}`, () => meminfoFamily(field));
    for (const name of netstatFamilyNames(frame)) addOnce(`netstat:${name}`, () => netstatFamily(name));
  };
}
