import { catalogByName } from '../catalog/index.js';
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
 * Collects metric values for one tick. Only catalog names are accepted (a typo is a bug caught by
 * tests, not a silently empty series), and non-finite values are dropped so that no view ever
 * shows NaN or Infinity.
 */
export class MetricSink {
  readonly values: MetricValues = {};

  set(name: string, instance: string, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return;
    if (!catalogByName.has(name)) throw new Error(`metric "${name}" is not in the catalog`);
    let byInstance = this.values[name];
    if (byInstance === undefined) {
      byInstance = {};
      this.values[name] = byInstance;
    }
    byInstance[instance] = value;
  }

  get(name: string, instance = ''): number | undefined {
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

const SIGNIFICANT_DIGITS = 6;

export function roundSignificant(value: number): number {
  if (Number.isInteger(value) || value === 0) return value;
  const scale = 10 ** (SIGNIFICANT_DIGITS - Math.ceil(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}
