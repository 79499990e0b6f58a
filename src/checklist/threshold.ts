import type { MetricDef, Unit } from '../catalog/index.js';

/**
 * Thresholds as people write them: "70%", "50ms", "10MiB/s", or a bare number in the metric's base
 * unit (ratios 0–1). Pure, with neither yaml nor zod, so that the precompiled default set
 * (precompiled.ts) converts its thresholds without the validating loader.
 */

/** Multipliers to the base unit, by suffix as written (case matters: "m" is minutes, "M" mega). */
const BYTE_SUFFIXES: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  PiB: 1024 ** 5,
  // The TUI and `free -h` write binary sizes as 1.5K, 512M, 2G.
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
  P: 1024 ** 5,
  kB: 1000,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  TB: 1000 ** 4,
  PB: 1000 ** 5,
};

function perSecond(suffixes: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(suffixes).map(([s, f]) => [`${s}/s`, f]));
}

const BIT_SUFFIXES: Record<string, number> = {
  'bit/s': 1,
  'kbit/s': 1e3,
  'Mbit/s': 1e6,
  'Gbit/s': 1e9,
  'Tbit/s': 1e12,
  'b/s': 1,
  'kb/s': 1e3,
  'Mb/s': 1e6,
  'Gb/s': 1e9,
  'Tb/s': 1e12,
  bps: 1,
  kbps: 1e3,
  Mbps: 1e6,
  Gbps: 1e9,
  Tbps: 1e12,
};

interface UnitForms {
  /** Suffix → factor to the base unit; "" (a bare number) is always accepted. */
  suffixes: Record<string, number>;
  /** What a bare number means, for messages. */
  base: string;
  /** Examples for messages and docs, in the order people would reach for them. */
  examples: string[];
}

const FORMS: Record<Unit, UnitForms> = {
  ratio: { suffixes: { '%': 0.01 }, base: 'a share 0–1', examples: ['70%', '0.7'] },
  ms: {
    suffixes: { us: 0.001, µs: 0.001, ms: 1, s: 1000 },
    base: 'milliseconds',
    examples: ['50ms', '1.5s', '500us', '50'],
  },
  seconds: {
    suffixes: { ms: 0.001, s: 1, m: 60, min: 60, h: 3600 },
    base: 'seconds',
    examples: ['30s', '500ms', '2m', '30'],
  },
  hours: { suffixes: { m: 1 / 60, min: 1 / 60, h: 1, d: 24 }, base: 'hours', examples: ['8h', '30m', '2d', '8'] },
  bytes: { suffixes: BYTE_SUFFIXES, base: 'bytes', examples: ['512MiB', '2GiB', '1GB', '1048576'] },
  bytes_per_s: {
    suffixes: perSecond(BYTE_SUFFIXES),
    base: 'bytes per second',
    examples: ['10MiB/s', '1MB/s', '512KiB/s', '1048576'],
  },
  bits_per_s: { suffixes: BIT_SUFFIXES, base: 'bits per second', examples: ['100Mbit/s', '1Gbit/s', '1e9'] },
  per_s: { suffixes: { '/s': 1, '/min': 1 / 60 }, base: 'events per second', examples: ['500/s', '30/min', '500'] },
  count: { suffixes: {}, base: 'a count', examples: ['0', '10'] },
  threads: { suffixes: {}, base: 'threads', examples: ['1', '2.5'] },
  cpus: { suffixes: {}, base: 'CPUs', examples: ['2'] },
};

const NUMBER_WITH_SUFFIX = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(\S*)$/;

/** Largest value a threshold may take in the base unit: 1 for shares, unbounded otherwise. */
function upperBound(def: Pick<MetricDef, 'unit' | 'canExceedOne'>): number {
  return def.unit === 'ratio' && def.canExceedOne !== true ? 1 : Number.POSITIVE_INFINITY;
}

/** The accepted forms of a threshold on this metric, for error messages: `"70%" or 0.7`. */
export function thresholdHint(def: Pick<MetricDef, 'unit' | 'canExceedOne'>): string {
  const { examples, base } = FORMS[def.unit];
  const written = examples.map((e) => (/^[\d.e+-]+$/.test(e) ? e : `"${e}"`));
  const list = written.length === 1 ? written[0] : `${written.slice(0, -1).join(', ')} or ${written.at(-1)}`;
  const max = upperBound(def);
  const range = def.unit === 'ratio' ? (max === 1 ? ' (0–100%)' : ' (≥ 0; 1 = 100%)') : ' (≥ 0)';
  return `${list}; a bare number is ${base}${range}`;
}

export type ThresholdResult = { ok: true; value: number } | { ok: false; message: string };

/** A threshold as written, in the metric's base unit; refused when its unit or range does not fit the metric. */
export function parseThreshold(
  raw: number | string,
  def: Pick<MetricDef, 'name' | 'unit' | 'canExceedOne'>,
): ThresholdResult {
  const refuse = (why: string): ThresholdResult => ({
    ok: false,
    message: `${why}; ${def.name} accepts ${thresholdHint(def)}`,
  });
  let value: number;
  let suffix = '';
  if (typeof raw === 'number') {
    value = raw;
  } else {
    const m = NUMBER_WITH_SUFFIX.exec(raw.trim());
    if (m === null) return refuse(`"${raw}" is not a number with a unit`);
    value = Number(m[1]);
    suffix = m[2];
  }
  if (!Number.isFinite(value)) return refuse(`${String(raw)} is not a finite number`);
  if (suffix !== '') {
    const factor = FORMS[def.unit].suffixes[suffix];
    if (factor === undefined) {
      const why =
        suffix === '%'
          ? `a percentage fits ratio metrics only, and ${def.name} is in ${FORMS[def.unit].base}`
          : `unit "${suffix}" does not fit ${def.name} (${FORMS[def.unit].base})`;
      return refuse(why);
    }
    value = Number((value * factor).toPrecision(15));
  }
  if (value < 0) return refuse(`${String(raw)} is negative`);
  const max = upperBound(def);
  if (value > max) {
    const why =
      suffix === ''
        ? `${String(raw)} is above 1 (a bare ratio is a share 0–1): for ${String(raw)} percent write "${String(raw)}%" or ${Number((value / 100).toPrecision(15))}`
        : `${String(raw)} is above 100%`;
    return refuse(why);
  }
  return { ok: true, value };
}

/** Suffixes as `show` prints them: binary first, decimal when the value is round in it (1MB/s), base last. */
function outputScales(suffix: string): [string, number][] {
  const binary = ['PiB', 'TiB', 'GiB', 'MiB', 'KiB'].map((s, i): [string, number] => [s + suffix, 1024 ** (5 - i)]);
  const decimal = ['PB', 'TB', 'GB', 'MB', 'kB'].map((s, i): [string, number] => [s + suffix, 1000 ** (5 - i)]);
  return [...binary, ...decimal, [`B${suffix}`, 1]];
}

/** Display suffixes for a threshold that reads back exactly, in order of preference. */
const OUTPUT: Partial<Record<Unit, [string, number][]>> = {
  bytes: outputScales(''),
  bytes_per_s: outputScales('/s'),
  bits_per_s: [
    ['Tbit/s', 1e12],
    ['Gbit/s', 1e9],
    ['Mbit/s', 1e6],
    ['kbit/s', 1e3],
    ['bit/s', 1],
  ],
  ms: [
    ['s', 1000],
    ['ms', 1],
  ],
  seconds: [['s', 1]],
  hours: [['h', 1]],
  per_s: [['/s', 1]],
};

const exact = (n: number) => Number(n.toPrecision(12)).toString();

/**
 * A threshold in the unit its metric is shown in, written so that it reads back as the same number:
 * 0.7 → "70%", 1048576 (bytes/s) → "1MiB/s", 20 (ms) → "20ms". `checklist show` prints it, and a
 * user may copy it into an override.
 */
export function formatThreshold(value: number, unit: Unit): string {
  if (unit === 'ratio') return `${exact(value * 100)}%`;
  const scales = OUTPUT[unit];
  if (scales === undefined) return exact(value);
  for (const [suffix, factor] of scales) {
    const scaled = value / factor;
    // The largest unit that shows the value in at most two decimals, so "1.5MiB/s" but never "0.977MiB/s".
    if (Math.abs(scaled) >= 1 && Number(scaled.toFixed(2)) * factor === value) return `${exact(scaled)}${suffix}`;
  }
  return `${exact(value)}${scales.at(-1)![0]}`;
}

export const THRESHOLD_FIELDS = ['warn', 'crit', 'clear'] as const;
export type ThresholdField = (typeof THRESHOLD_FIELDS)[number];
export type Levels<T> = Partial<Record<ThresholdField, T>>;

/** Converts the levels a rule or override writes; each problem names its field. */
export function readLevels(
  written: Levels<number | string>,
  def: Pick<MetricDef, 'name' | 'unit' | 'canExceedOne'>,
): { levels: Levels<number>; problems: { field: ThresholdField; message: string }[] } {
  const levels: Levels<number> = {};
  const problems: { field: ThresholdField; message: string }[] = [];
  for (const field of THRESHOLD_FIELDS) {
    const raw = written[field];
    if (raw === undefined) continue;
    const result = parseThreshold(raw, def);
    if (result.ok) levels[field] = result.value;
    else problems.push({ field, message: result.message });
  }
  return { levels, problems };
}

/** The levels of an item already validated by parse-file.ts (the precompiled default set); throws if one is not. */
export function validatedLevels(
  written: Levels<number | string>,
  def: Pick<MetricDef, 'name' | 'unit' | 'canExceedOne'>,
): Levels<number> {
  const { levels, problems } = readLevels(written, def);
  if (problems.length > 0) throw new Error(`${problems[0].field}: ${problems[0].message}`);
  return levels;
}
