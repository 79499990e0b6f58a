import type { Frame } from '../../model/frame.js';
import { type ExpositionWriter, familyHeader, formatSampleValue, sampleStart } from './text-format.js';

export type MetricType = 'counter' | 'gauge' | 'untyped';

/**
 * Writes one sample of a family: its value, then its label values in the order of the family's
 * `labels` (at most MAX_LABELS). A label whose value is undefined is left out of the series.
 */
export type Emit = (value: number | bigint | undefined, ...labelValues: (string | undefined)[]) => void;

/** One metric family read from a frame at scrape time: name, help, type and how to list its samples. */
export interface FamilySpec {
  name: string;
  help: string;
  type: MetricType;
  /** The label names of every sample, in the order written; none when the family has one unlabelled sample. */
  labels?: readonly string[];
  /** Read even before the first frame (the agent's own process metrics); the frame is then a stub. */
  frameless?: boolean;
  /** Left out of the body, HELP and TYPE included, while it has no sample (cAdvisor's families are). */
  omitEmpty?: boolean;
  read(frame: Frame, emit: Emit): void;
}

/** The most labels a family may have: node_os_info's twelve. */
const MAX_LABELS = 12;

/** Stands in for the frame for frameless families before the first tick; they never read it. */
const NO_FRAME = {} as Frame;
const NO_LABELS: readonly string[] = [];

/** The line written at one position of a family's render, and what it was made of. */
interface WrittenSample {
  labelValues: readonly (string | undefined)[];
  /** A line feed, the series name and a space, as UTF-8. */
  series: Uint8Array;
  value: number;
  valueText: string;
}

/**
 * A family as exposition text, written into the body by each render, which reads the frame afresh.
 * Samples without a value (undefined) or with a non-finite one are left out, so that a figure the
 * host did not give reads as absent rather than as NaN; bigints are written as numbers. A family
 * with no samples still writes its HELP and TYPE lines, unless it is `omitEmpty`.
 *
 * Most families write the same series in the same order frame after frame (a CPU's modes, a
 * disk's counters), and most of their values do not move in a second. Each position keeps the label
 * values it was written with, its series name as bytes, and its value as text: a render escapes and
 * encodes only the series whose labels changed and formats only the values that moved. At most one
 * entry per sample of the last render is kept.
 */
export class FrameFamily {
  readonly name: string;
  /** The HELP and TYPE lines never change: they are escaped and encoded once. */
  private readonly header: Uint8Array;
  private readonly labels: readonly string[];
  private readonly written: WrittenSample[] = [];
  /** The body and the position the render in progress writes at. */
  private out: ExpositionWriter | undefined;
  private at = 0;
  /** The label values of the sample being written, copied only when they differ from its position's. */
  private readonly labelValues: (string | undefined)[] = new Array(MAX_LABELS).fill(undefined);
  /**
   * Made once (a closure per render would be garbage of every render), with its label values as
   * declared parameters rather than a rest parameter, which would make an array per sample.
   */
  private readonly emit: Emit = (value, l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11) => {
    const v = this.labelValues;
    v[0] = l0;
    v[1] = l1;
    v[2] = l2;
    v[3] = l3;
    v[4] = l4;
    v[5] = l5;
    v[6] = l6;
    v[7] = l7;
    v[8] = l8;
    v[9] = l9;
    v[10] = l10;
    v[11] = l11;
    this.sample(value);
  };

  constructor(private readonly spec: FamilySpec) {
    this.name = spec.name;
    this.labels = spec.labels ?? NO_LABELS;
    if (this.labels.length > MAX_LABELS) throw new Error(`/metrics: ${spec.name} has more than ${MAX_LABELS} labels`);
    this.header = Buffer.from(familyHeader(spec.name, spec.help, spec.type), 'utf8');
  }

  /** Writes the family into `out`, reading `frame` (a frameless family reads even without one). */
  writeTo(out: ExpositionWriter, frame: Frame | undefined): void {
    const start = out.length;
    out.family(this.header);
    const read = frame ?? (this.spec.frameless ? NO_FRAME : undefined);
    if (read === undefined) return;
    this.out = out;
    this.at = 0;
    this.spec.read(read, this.emit);
    this.written.length = this.at;
    if (this.at === 0 && this.spec.omitEmpty) out.truncate(start);
  }

  private sample(value: number | bigint | undefined): void {
    if (value === undefined || this.out === undefined) return;
    const v = typeof value === 'bigint' ? Number(value) : value;
    if (!Number.isFinite(v)) return;
    let written = this.written[this.at];
    if (written === undefined || !this.sameLabels(written.labelValues)) {
      const labelValues = this.labelValues.slice(0, this.labels.length);
      const series = sampleStart(this.name, this.labels, labelValues);
      written = { labelValues, series, value: v, valueText: formatSampleValue(v) };
      this.written[this.at] = written;
    } else if (written.value !== v) {
      written.value = v;
      written.valueText = formatSampleValue(v);
    }
    this.at++;
    this.out.bytes(written.series);
    this.out.ascii(written.valueText);
  }

  /** Whether the sample being written has the label values `written` was made of. */
  private sameLabels(written: readonly (string | undefined)[]): boolean {
    for (let i = 0; i < this.labels.length; i++) if (written[i] !== this.labelValues[i]) return false;
    return true;
  }
}

/** Makes the families of one exposition, refusing a name made before: two families of one name are an invalid exposition. */
export function familyMaker(): (spec: FamilySpec) => FrameFamily {
  const names = new Set<string>();
  return (spec) => {
    if (names.has(spec.name)) throw new Error(`/metrics: two families are named ${spec.name}`);
    names.add(spec.name);
    return new FrameFamily(spec);
  };
}
