import { isMetricName, type MetricName } from '../catalog/index.js';
import type { MetricValues } from '../model/frame.js';

/** Settings that change how raw samples turn into metrics. */
export interface DeriveConfig {
  /** Link speed overrides in bits/s by interface name, for NICs whose sysfs speed is unknown (-1, EINVAL). */
  linkSpeedsBps: Record<string, number>;
  /** How many processes to keep per ranking measure. */
  topN: number;
}

export const defaultDeriveConfig: DeriveConfig = { linkSpeedsBps: {}, topN: 5 };

/**
 * Collects metric values for one tick. Only catalog names are accepted: a misspelt literal fails
 * to compile, and a name forced past the type is refused at run time rather than becoming a
 * silently empty series. Non-finite values are dropped so that no view ever shows NaN or Infinity.
 */
export class MetricSink {
  readonly values: MetricValues = {};

  set(name: MetricName, instance: string, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return;
    if (!isMetricName(name)) throw new Error(`metric "${name}" is not in the catalog`);
    let byInstance = this.values[name];
    if (byInstance === undefined) {
      byInstance = {};
      this.values[name] = byInstance;
    }
    byInstance[instance] = value;
  }

  get(name: MetricName, instance = ''): number | undefined {
    return this.values[name]?.[instance];
  }

  /**
   * Rounds every value to six significant digits, once derivation is done. Derived values carry
   * far more digits than the counters behind them justify (0.8654075479504103); six keep every view
   * exact to the unit it shows while cutting a frame by a sixth.
   */
  roundAll(): void {
    for (const byInstance of Object.values(this.values)) {
      for (const instance in byInstance) byInstance[instance] = roundSignificant(byInstance[instance]);
    }
  }
}

export interface DeriveContext {
  /** Interval between the two samples in seconds, from the monotonic clock. */
  dtSeconds: number;
  out: MetricSink;
  config: DeriveConfig;
}

/**
 * Turns two consecutive samples of one collector into metrics. `prev` is undefined on the first
 * tick (and after the collector failed): then only gauges are set, never rates.
 */
export type Deriver<S> = (prev: S | undefined, cur: S, ctx: DeriveContext) => void;

/** One deriver that runs several on the same samples, in order: a collector whose file feeds several resources. */
export function deriveAll<S>(...derivers: Deriver<S>[]): Deriver<S> {
  return (prev, cur, ctx) => {
    for (const derive of derivers) derive(prev, cur, ctx);
  };
}

const SIGNIFICANT_DIGITS = 6;

export function roundSignificant(value: number): number {
  if (Number.isInteger(value) || value === 0) return value;
  const scale = 10 ** (SIGNIFICANT_DIGITS - Math.ceil(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}
