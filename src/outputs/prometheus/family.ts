import type { Frame } from '../../model/frame.js';
import { familyHeader, formatSampleValue, seriesName } from './text-format.js';

export type MetricType = 'counter' | 'gauge' | 'untyped';
export type Labels = Record<string, string>;

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

/** The sample line written at one position of a family's render, and what it was made of. */
interface WrittenSample {
  keys: string[];
  values: string[];
  series: string;
  value: number;
  /** A line feed, the series name, a space and the value. */
  line: string;
}

/**
 * A family as exposition text. Every render reads the frame afresh. Samples without a value
 * (undefined) or with a non-finite one are left out, so that a figure the host did not give reads
 * as absent rather than as NaN; bigints are written as numbers. A family with no samples still
 * writes its HELP and TYPE lines.
 *
 * Most families write the same series in the same order frame after frame (a CPU's modes, a
 * disk's counters), and most of their values do not move in a second. The line written at each
 * position is kept with the labels and value it was made of: a render escapes and joins only the
 * labels that changed and formats only the values that did, and a family whose every line is as
 * before gives its previous text again. At most one line per sample of the last render is kept.
 */
export class FrameFamily {
  readonly name: string;
  /** The HELP and TYPE lines never change: they are escaped once. */
  private readonly header: string;
  private readonly written: WrittenSample[] = [];
  private text: string;
  /** Whether the render in progress wrote a line unlike the last render's at its position. */
  private changed = false;

  constructor(private readonly spec: FamilySpec) {
    this.name = spec.name;
    this.header = familyHeader(spec.name, spec.help, spec.type);
    this.text = this.header;
  }

  render(frame: Frame | undefined): string {
    let text = this.header;
    const read = frame ?? (this.spec.frameless ? NO_FRAME : undefined);
    if (read === undefined) return text;
    let at = 0;
    this.changed = false;
    this.spec.read(read, (labels, value) => {
      if (value === undefined) return;
      const v = typeof value === 'bigint' ? Number(value) : value;
      if (Number.isFinite(v)) text += this.lineAt(at++, labels, v);
    });
    if (!this.changed && at === this.written.length) return this.text;
    this.written.length = at;
    this.text = text;
    return text;
  }

  private lineAt(at: number, labels: Labels | undefined, value: number): string {
    const before = this.written[at];
    if (before !== undefined && sameLabels(before, labels)) {
      if (before.value === value) return before.line;
      this.changed = true;
      before.value = value;
      before.line = `\n${before.series} ${formatSampleValue(value)}`;
      return before.line;
    }
    this.changed = true;
    const keys: string[] = [];
    const values: string[] = [];
    for (const key in labels) {
      keys.push(key);
      values.push(labels[key]);
    }
    const series = seriesName(this.name, labels);
    const line = `\n${series} ${formatSampleValue(value)}`;
    this.written[at] = { keys, values, series, value, line };
    return line;
  }
}

/** Whether `labels` has the keys and values, in order, that `written` was made of. */
function sameLabels(written: WrittenSample, labels: Labels | undefined): boolean {
  let i = 0;
  for (const key in labels) {
    if (written.keys[i] !== key || written.values[i] !== labels[key]) return false;
    i++;
  }
  return i === written.keys.length;
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
