import type { Frame } from '../../model/frame.js';
import { containerFamilies } from './container.js';
import { type FamilySpec, type FrameFamily, familyMaker } from './family.js';
import { deflatePrefix, gzipWithPrefix } from './gzip-splice.js';
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

export type MetricsEncoding = 'identity' | 'gzip';

export interface MetricsText {
  contentType: string;
  body: string;
}

export interface MetricsBody {
  contentType: string;
  body: string | Buffer;
  /** Set when the body is compressed. */
  contentEncoding?: 'gzip';
}

export interface PrometheusExporter {
  /** The exposition text (format 0.0.4) of the latest frame. */
  render(): Promise<MetricsText>;
  /** The same exposition, gzip-compressed when asked. */
  render(encoding: MetricsEncoding): Promise<MetricsBody>;
}

/**
 * The /metrics output: families that read the latest frame when scraped, written as text by
 * text-format.ts, so ticks never pay for Prometheus and a scrape never sees a half-updated frame
 * (one frame is read for the whole body).
 *
 * The body has two parts. The frame's part (every family read from the frame, the families that
 * depend on the host's kernel, in the order first seen, then the per-cgroup container_* families
 * while the frame carries cgroups) is rendered once per frame, and
 * compressed once per frame when a scraper takes gzip: two scrapers of one frame pay once. The
 * scrape's part (the families that read no frame: build info, the agent's own process figures and
 * runtime counters, then the scrape-duration histogram) is rendered on every scrape, so those
 * values are always current; a gzip body splices its compression after the frame's (gzip-splice.ts).
 */
export function createPrometheusExporter(opts: PrometheusExporterOptions): PrometheusExporter {
  const family = familyMaker();
  const all = [
    ...nodeFamilies,
    ...usewatchFamilies({ version: opts.version, topProcesses: opts.topProcesses ?? 0, runtime: opts.runtime ?? {} }),
    ...processFamilies(opts.openFds),
  ];
  const fromFrame = all.filter((spec) => !spec.frameless).map(family);
  const perScrape = all.filter((spec) => spec.frameless).map(family);
  const scrapeDuration = new Histogram(
    'usewatch_scrape_duration_seconds',
    'Time taken to render /metrics.',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05],
  );
  const dynamic: FrameFamily[] = [];
  const addDynamic = dynamicFamilies((spec) => dynamic.push(family(spec)));
  const framePart = perFrame((frame) => {
    if (frame) addDynamic(frame);
    const parts: string[] = [];
    for (let i = 0; i < fromFrame.length; i++) parts.push(fromFrame[i].render(frame));
    for (let i = 0; i < dynamic.length; i++) parts.push(dynamic[i].render(frame));
    if (frame && opts.cgroups !== false) parts.push(...containerFamilies(frame));
    return `${parts.join('\n\n')}\n\n`;
  });
  const compressedFramePart = perFrame((frame) => deflatePrefix(framePart(frame)));
  const scrapePart = () => {
    const parts: string[] = [];
    for (let i = 0; i < perScrape.length; i++) parts.push(perScrape[i].render(undefined));
    parts.push(scrapeDuration.render());
    return exposition(parts);
  };

  async function render(encoding: MetricsEncoding = 'identity'): Promise<MetricsBody> {
    const start = performance.now();
    const frame = opts.latest();
    const result: MetricsBody =
      encoding === 'gzip'
        ? {
            contentType: CONTENT_TYPE,
            body: gzipWithPrefix(compressedFramePart(frame), scrapePart()),
            contentEncoding: 'gzip',
          }
        : { contentType: CONTENT_TYPE, body: framePart(frame) + scrapePart() };
    scrapeDuration.observe((performance.now() - start) / 1000);
    return result;
  }
  return { render: render as PrometheusExporter['render'] };
}

/**
 * Memoises a function of the latest frame for as long as that frame is the latest: frames are
 * immutable once published, so its output is the same until the next one (or until the first).
 */
function perFrame<T>(make: (frame: Frame | undefined) => T): (frame: Frame | undefined) => T {
  let key: Frame | undefined | null = null;
  let value: T | undefined;
  return (frame) => {
    if (key !== frame || value === undefined) {
      value = make(frame);
      key = frame;
    }
    return value;
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
