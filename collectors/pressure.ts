import type { Collector } from './collector.js';
import { OptionalSource } from './optional.js';
import { fields, lines, parseCounter, parseDecimal } from './parse.js';
import { type Counter, ParseError } from './types.js';

/** One PSI line: averages in percent over 10/60/300 s, and the cumulative stall time in µs. */
export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  totalUs: Counter;
}

export interface Pressure {
  some?: PressureLine;
  full?: PressureLine;
}

export const PSI_RESOURCES = ['cpu', 'memory', 'io', 'irq'] as const;
export type PsiResource = (typeof PSI_RESOURCES)[number];

/** Per PSI file; a resource is missing when its file is absent (no CONFIG_PSI, PSI disabled, irq before 6.1). */
export type PressureSample = Partial<Record<PsiResource, Pressure>>;

const PSI_KEYS = ['avg10', 'avg60', 'avg300', 'total'] as const;

function parsePressureLine(cols: string[], lineNo: number): PressureLine {
  if (cols.length !== 5) throw new ParseError(`line ${lineNo}: expected 4 key=value fields, got ${cols.length - 1}`);
  const values: string[] = [];
  for (let i = 0; i < PSI_KEYS.length; i++) {
    const col = cols[i + 1];
    const key = PSI_KEYS[i];
    if (!col.startsWith(key) || col.charCodeAt(key.length) !== 61 /* = */) {
      throw new ParseError(`line ${lineNo}: expected ${key}=…, got "${col}"`);
    }
    values.push(col.slice(key.length + 1));
  }
  return {
    avg10: parseDecimal(values[0], `line ${lineNo}: avg10`),
    avg60: parseDecimal(values[1], `line ${lineNo}: avg60`),
    avg300: parseDecimal(values[2], `line ${lineNo}: avg300`),
    totalUs: parseCounter(values[3], `line ${lineNo}: total`),
  };
}

/** Parses one /proc/pressure file: `some` and `full` lines; lines with other prefixes are ignored. */
export function parsePressure(text: string): Pressure {
  const out: Pressure = {};
  for (const [i, line] of lines(text).entries()) {
    const cols = fields(line);
    if (cols[0] === 'some') out.some = parsePressureLine(cols, i + 1);
    else if (cols[0] === 'full') out.full = parsePressureLine(cols, i + 1);
  }
  if (out.some === undefined && out.full === undefined) throw new ParseError('no "some" or "full" line');
  return out;
}

/** /proc/pressure/{cpu,memory,io,irq}. PSI off (EOPNOTSUPP) or missing files are normal states. */
export function createPressureCollector(): Collector<PressureSample> {
  const sources = PSI_RESOURCES.map(
    (resource) =>
      [
        resource,
        new OptionalSource(`proc/pressure/${resource}`, 60, (reason) =>
          reason.startsWith('EOPNOTSUPP') || reason.startsWith('ENOTSUP') ? 'PSI disabled' : reason,
        ),
      ] as const,
  );
  return {
    name: 'pressure',
    read(log) {
      const sample: PressureSample = {};
      let any = false;
      for (const [resource, source] of sources) {
        const pressure = log.parse(source.rel, source.read(log), parsePressure);
        if (pressure !== undefined) {
          sample[resource] = pressure;
          any = true;
        }
      }
      return any ? sample : undefined;
    },
  };
}
