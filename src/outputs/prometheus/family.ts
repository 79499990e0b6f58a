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

/**
 * The shape prom-client's Registry asks of a metric: `get()` returning name, help, type and values.
 * Families are plain objects rather than Gauge/Counter instances with `collect()`: the values are
 * already in the frame, and setting them one by one through label hashing would cost more than the
 * serialisation itself.
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

  get(): { name: string; help: string; type: MetricType; values: Sample[]; aggregator: string } {
    const values: Sample[] = [];
    const frame = this.latest() ?? (this.spec.frameless ? NO_FRAME : undefined);
    if (frame) {
      this.spec.read(frame, (labels, value) => {
        if (value === undefined) return;
        const v = typeof value === 'bigint' ? Number(value) : value;
        if (Number.isFinite(v)) values.push({ labels, value: v, sharedLabels: NO_SHARED_LABELS });
      });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    // Nothing is stored: every scrape reads the frame afresh.
  }
}

export function num(v: number | bigint | undefined): number | undefined {
  return v === undefined ? undefined : typeof v === 'bigint' ? Number(v) : v;
}
