import type { Frame } from '../../model/frame.js';

export type MetricType = 'counter' | 'gauge' | 'untyped';
export type Labels = Record<string, string>;

export interface Sample {
  labels?: Labels;
  value: number;
  sharedLabels: Labels;
}

/**
 * prom-client caches the rendering of `sharedLabels` by object identity; without one it formats a
 * fresh empty object for every sample. One frozen empty object makes that a cache hit.
 */
const NO_SHARED_LABELS: Labels = Object.freeze({}) as Labels;

/** Pushes the samples of one family; called at scrape time with the latest frame. */
export type Emit = (labels: Labels | undefined, value: number | bigint | undefined) => void;

/** One metric family read from a frame at scrape time: name, help, type and how to list its samples. */
export interface FamilySpec {
  name: string;
  help: string;
  type: MetricType;
  /** Read even before the first frame (the agent's own process metrics); the frame is then a stub. */
  frameless?: boolean;
  read(frame: Frame, emit: Emit): void;
}

/** Stands in for the frame for frameless families before the first tick; they never read it. */
const NO_FRAME = {} as Frame;

const NO_LABELS: Labels = Object.freeze({}) as Labels;

/**
 * A sample for prom-client's text path, with its labels already written into `metricName`, which
 * the registry prints verbatim (histograms use it for their _bucket, _sum and _count lines). Left to
 * the registry, every label of every sample goes through Object.entries, three regex replacements
 * and four temporary arrays on each scrape; at one scrape a second that code stays unoptimised, and
 * it was about a quarter of the render's CPU and garbage.
 */
interface TextSample {
  metricName: string;
  value: number;
  labels: Labels;
  sharedLabels: Labels;
}

/** prom-client's escaping of a label value: backslash, newline, then double quote; non-strings as printed. */
function escapeLabelValue(value: string): string {
  if (typeof value !== 'string') return String(value);
  if (value.indexOf('\\') < 0 && value.indexOf('\n') < 0 && value.indexOf('"') < 0) return value;
  return value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

/** `name{a="x",b="y"}` exactly as prom-client renders it (labels in insertion order). */
function seriesName(name: string, labels: Labels | undefined): string {
  if (labels === undefined) return name;
  let out = name;
  let sep = '{';
  for (const key in labels) {
    out += `${sep}${key}="${escapeLabelValue(labels[key])}"`;
    sep = ',';
  }
  return sep === '{' ? name : `${out}}`;
}

type Finite = (labels: Labels | undefined, value: number) => void;

/**
 * The shape prom-client's Registry asks of a metric: `get()` returning name, help, type and values,
 * and `getForPromString()`, which the registry prefers when rendering text. Families are plain
 * objects rather than Gauge/Counter instances with `collect()`: the values are already in the frame,
 * and setting them one by one through label hashing would cost more than the serialisation itself.
 */
export class FrameFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly aggregator = 'sum';

  constructor(
    private readonly spec: FamilySpec,
    private readonly latest: () => Frame | undefined,
  ) {
    this.name = spec.name;
    this.help = spec.help;
    this.type = spec.type;
  }

  /** Structured values (prom-client's JSON output). */
  get(): { name: string; help: string; type: MetricType; values: Sample[]; aggregator: string } {
    const values: Sample[] = [];
    this.read((labels, value) => values.push({ labels, value, sharedLabels: NO_SHARED_LABELS }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The same values with their label sets pre-rendered, for the text exposition. */
  getForPromString(): { name: string; help: string; type: MetricType; values: TextSample[]; aggregator: string } {
    const values: TextSample[] = [];
    const name = this.name;
    this.read((labels, value) =>
      values.push({
        metricName: seriesName(name, labels),
        value,
        labels: NO_LABELS,
        sharedLabels: NO_SHARED_LABELS,
      }),
    );
    return { name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    // Nothing is stored: every scrape reads the frame afresh.
  }

  /** Reads the latest frame, passing on finite values only (bigints as numbers). */
  private read(push: Finite): void {
    const frame = this.latest() ?? (this.spec.frameless ? NO_FRAME : undefined);
    if (!frame) return;
    this.spec.read(frame, (labels, value) => {
      if (value === undefined) return;
      const v = typeof value === 'bigint' ? Number(value) : value;
      if (Number.isFinite(v)) push(labels, v);
    });
  }
}

export function num(v: number | bigint | undefined): number | undefined {
  return v === undefined ? undefined : typeof v === 'bigint' ? Number(v) : v;
}
