import { gzipSync } from 'node:zlib';
import type { Frame } from '../../model/frame.js';
import { containerFamilies } from './container.js';
import { type FamilySpec, type FrameFamily, familyMaker } from './family.js';
import { Histogram } from './histogram.js';
import { dynamicShape, meminfoFamily, meminfoFields, netstatFamily, netstatFamilyNames, nodeFamilies } from './node.js';
import { type OpenFds, processFamilies } from './self.js';
import { CONTENT_TYPE, ExpositionWriter } from './text-format.js';
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
  /** The bytes a scrape writes: the exposition as UTF-8, or its gzip member. */
  body: Buffer;
  /** Set when the body is compressed. */
  contentEncoding?: 'gzip';
}

export interface PrometheusExporter {
  /** The exposition text (format 0.0.4) of the latest frame. */
  render(): Promise<MetricsText>;
  /** The same exposition as the bytes a scrape writes, gzip-compressed when asked. */
  render(encoding: MetricsEncoding): Promise<MetricsBody>;
  /**
   * Told as each frame is published: while scrapes keep pace with the ticks, the new frame's body
   * (and its gzip member, if the last scrape asked for one) is made now, in the tick's wake-up.
   */
  framePublished(): void;
}

/**
 * The /metrics output: families that read the latest frame, written as text by text-format.ts, so
 * ticks never pay for Prometheus and a scrape never sees a half-updated frame (one frame is read
 * for the whole body).
 *
 * The whole body is rendered once per frame, at the first scrape that asks for it, and its UTF-8
 * bytes and gzip member are each made once per frame when first asked: every later scrape of that
 * frame writes the same bytes, so two scrapers of one frame pay once. In order: every family read
 * from the frame, the families that depend on the host's kernel (in the order first seen), the
 * per-cgroup container_* families while the frame carries cgroups, then the families that read no
 * frame (build info, the agent's own process figures and runtime counters) and the scrape-duration
 * histogram. Those last are taken when the frame's body is rendered, so they are as fresh as the
 * frame; before the first frame, each scrape renders them anew.
 *
 * When the two frames before a new one were each scraped, scrapes keep pace with the ticks, and the
 * new frame's body is made as it is published rather than at its first scrape: the frame it reads
 * and the code that reads it are then still in the CPU's caches, where a scrape a few hundred ms
 * later finds both cold (docs/performance.md). A scraper slower than the ticks never sees that, so
 * it costs no body that no one asks for.
 */
export function createPrometheusExporter(opts: PrometheusExporterOptions): PrometheusExporter {
  const family = familyMaker();
  const all = [
    ...nodeFamilies,
    ...usewatchFamilies({ version: opts.version, topProcesses: opts.topProcesses ?? 0, runtime: opts.runtime ?? {} }),
    ...processFamilies(opts.openFds),
  ];
  const fromFrame = all.filter((spec) => !spec.frameless).map(family);
  const frameless = all.filter((spec) => spec.frameless).map(family);
  const scrapeDuration = new Histogram(
    'usewatch_scrape_duration_seconds',
    'Time taken to render /metrics.',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05],
  );
  const dynamic: FrameFamily[] = [];
  const addDynamic = dynamicFamilies((spec) => dynamic.push(family(spec)));
  const containers = opts.cgroups === false ? [] : containerFamilies().map(family);
  const writer = new ExpositionWriter();
  const write = (frame: Frame | undefined) => (out: ExpositionWriter) => {
    if (frame) {
      addDynamic(frame);
      for (let i = 0; i < fromFrame.length; i++) fromFrame[i].writeTo(out, frame);
      for (let i = 0; i < dynamic.length; i++) dynamic[i].writeTo(out, frame);
      for (let i = 0; i < containers.length; i++) containers[i].writeTo(out, frame);
    }
    for (let i = 0; i < frameless.length; i++) frameless[i].writeTo(out, frame);
    scrapeDuration.writeTo(out);
  };
  const render = (frame: Frame | undefined) => new ExpositionBody(writer.body(write(frame)));
  let latest: { frame: Frame; body: ExpositionBody } | undefined;
  const bodyOf = (frame: Frame | undefined): ExpositionBody => {
    if (frame === undefined) return render(undefined);
    if (latest?.frame !== frame) latest = { frame, body: render(frame) };
    return latest.body;
  };
  const pace = new ScrapePace();

  function framePublished(): void {
    const frame = opts.latest();
    if (frame === undefined || !pace.keptUpBefore(frame.seq)) return;
    const body = bodyOf(frame);
    if (pace.lastAskedGzip) body.gzip();
  }

  async function scrape(encoding?: MetricsEncoding): Promise<MetricsText | MetricsBody> {
    const start = performance.now();
    const frame = opts.latest();
    if (frame !== undefined) pace.scraped(frame.seq, encoding === 'gzip');
    const body = bodyOf(frame);
    const result: MetricsText | MetricsBody =
      encoding === undefined
        ? { contentType: CONTENT_TYPE, body: body.text() }
        : encoding === 'gzip'
          ? { contentType: CONTENT_TYPE, body: body.gzip(), contentEncoding: 'gzip' }
          : { contentType: CONTENT_TYPE, body: body.utf8 };
    scrapeDuration.observe((performance.now() - start) / 1000);
    return result;
  }
  return { render: scrape as PrometheusExporter['render'], framePublished };
}

/** Which frames were scraped lately, by sequence number, and whether the latest scrape asked for gzip. */
class ScrapePace {
  private last = -1;
  private beforeLast = -1;
  lastAskedGzip = false;

  scraped(seq: number, gzip: boolean): void {
    this.lastAskedGzip = gzip;
    if (seq === this.last) return;
    this.beforeLast = this.last;
    this.last = seq;
  }

  /** Whether each of the two frames before this one was scraped. */
  keptUpBefore(seq: number): boolean {
    return this.last === seq - 1 && this.beforeLast === seq - 2;
  }
}

/**
 * zlib's level 1 with an 8 KB window. On this host's 45 KB body, deflated once per frame as the
 * agent does: about 240 µs of CPU for 8.0 KB, against 430 µs for 7.2 KB at level 5 and 490 µs at
 * level 6 (zlib's default, and what node_exporter's Go client uses; it sends 9.5 KB of its 57 KB).
 * The window costs a few bytes against zlib's 32 KB, and shrinks what each deflate allocates and
 * touches from about 250 KB to about 150 KB (docs/performance.md).
 */
const GZIP_OPTIONS = { level: 1, windowBits: 13 } as const;

/**
 * One frame's exposition as the bytes scrapes write: its UTF-8 encoding, made with the body, and its
 * gzip member, made when first asked. The text is made again only when asked for (tests, the
 * render bench): held for a frame, it would outlive a young-generation collection and be copied.
 */
class ExpositionBody {
  private compressed: Buffer | undefined;

  constructor(readonly utf8: Buffer) {}

  text(): string {
    return this.utf8.toString('utf8');
  }

  gzip(): Buffer {
    this.compressed ??= gzipSync(this.utf8, GZIP_OPTIONS);
    return this.compressed;
  }
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
