import type { InstanceKind, MetricName, Unit } from '../catalog/index.js';
import type { Dimension, Resource } from '../model/frame.js';
import type { AnalysisLevels } from './analysis-levels.js';
import type { Direction, Drilldown } from './schema.js';

/** The numbers that drive one (rule, instance) state machine. */
export interface Thresholds {
  warn?: number;
  crit?: number;
  /** A firing finding clears once the value is back at or past this level (hysteresis). */
  clear: number;
  forMs: number;
  clearForMs: number;
}

/** A checklist rule as loaded: durations in ms, unit and instance kind taken from the catalog. */
export interface Rule {
  id: string;
  resource: Resource;
  dimension: Dimension;
  /** A catalog name: the loader refuses any other, at file:line:col. */
  metric: MetricName;
  unit: Unit;
  instanceKind: InstanceKind;
  direction: Direction;
  warn?: number;
  crit?: number;
  /** As written; undefined means "clear at warn (or crit)", which follows overridden thresholds. */
  clear?: number;
  forMs: number;
  clearForMs: number;
  summary: string;
  explain: string;
  drilldown?: Drilldown;
  next: string[];
  ref?: string;
  gap?: string;
  /** "file:line" of the rule, for `checklist explain` and error messages. */
  origin: string;
}

export interface Override {
  rule: string;
  /** The pattern as written ("*" when the file gave none). */
  instance: string;
  matches: (instance: string) => boolean;
  warn?: number;
  crit?: number;
  clear?: number;
  forMs?: number;
  clearForMs?: number;
  disabled: boolean;
  origin: string;
}

/** A USE cell that /proc and /sys cannot measure, with the reason shown in reports. */
export interface Gap {
  resource: Resource;
  dimension: Dimension;
  reason: string;
}

export interface Checklist {
  rules: Rule[];
  overrides: Override[];
  gaps: Gap[];
  linkSpeedsBps: Record<string, number>;
  /** Levels of the 60-second analysis in `usewatch check` (analysis-levels.ts). */
  analysis: AnalysisLevels;
  files: string[];
}

export interface ThresholdProblem {
  field: 'warn' | 'crit' | 'clear' | undefined;
  message: string;
}

/** True when the value is strictly past the level in the rule's direction. */
export function beyond(direction: Direction, value: number, level: number): boolean {
  return direction === 'above' ? value > level : value < level;
}

/** Inverted or missing thresholds for the direction; empty when the set is usable. `show` writes a level as the user would. */
export function thresholdProblems(
  direction: Direction,
  t: { warn?: number; crit?: number; clear?: number },
  show: (level: number) => string = String,
): ThresholdProblem[] {
  const problems: ThresholdProblem[] = [];
  if (t.warn === undefined && t.crit === undefined) {
    problems.push({ field: undefined, message: 'a rule needs warn, crit or both' });
    return problems;
  }
  if (t.warn !== undefined && t.crit !== undefined && beyond(direction, t.warn, t.crit)) {
    const side = direction === 'above' ? 'below' : 'above';
    problems.push({
      field: 'crit',
      message: `crit ${show(t.crit)} is ${side} warn ${show(t.warn)}: inverted for direction ${direction}`,
    });
  }
  const lowest = t.warn ?? t.crit;
  if (t.clear !== undefined && lowest !== undefined && beyond(direction, t.clear, lowest)) {
    const side = direction === 'above' ? 'above' : 'below';
    problems.push({
      field: 'clear',
      message: `clear ${show(t.clear)} is ${side} the raise level ${show(lowest)}: a finding could never clear (direction ${direction})`,
    });
  }
  return problems;
}

/** Compiles an instance pattern: exact unless it holds * or ? (see glob.ts). */
export { compileGlob as instanceMatcher } from './glob.js';

/** Thresholds for one instance after the overrides that match it (in load order); undefined when disabled. */
export function resolveThresholds(
  rule: Rule,
  overrides: readonly Override[],
  instance: string,
): Thresholds | undefined {
  let { warn, crit, clear, forMs, clearForMs } = rule;
  for (const o of overrides) {
    if (o.rule !== rule.id || !o.matches(instance)) continue;
    if (o.disabled) return undefined;
    warn = o.warn ?? warn;
    crit = o.crit ?? crit;
    clear = o.clear ?? clear;
    forMs = o.forMs ?? forMs;
    clearForMs = o.clearForMs ?? clearForMs;
  }
  return { warn, crit, clear: clear ?? warn ?? crit ?? 0, forMs, clearForMs };
}
