import { catalogByName } from '../../src/catalog/index.js';
import type { AnalysisLevels } from '../../src/checklist/analysis-levels.js';
import type { Checklist, Gap, Override, Rule } from '../../src/checklist/model.js';
import { instanceMatcher } from '../../src/checklist/model.js';
import type { ProcessEntry } from '../../src/model/frame.js';

/** A rule as the loader would build it, with the catalog's unit and instance kind. */
export function rule(fields: Partial<Rule> & Pick<Rule, 'id' | 'metric'>): Rule {
  const def = catalogByName.get(fields.metric);
  if (def === undefined) throw new Error(`test rule uses unknown metric ${fields.metric}`);
  return {
    resource: def.resource,
    dimension: 'utilization',
    unit: def.unit,
    instanceKind: def.instance,
    direction: 'above',
    forMs: 0,
    clearForMs: 0,
    summary: '{instance}: {value} over {threshold}',
    explain: 'test rule',
    next: [],
    origin: 'test.yaml:1',
    ...fields,
  };
}

/** cpu.utilization with the default thresholds (checklists/linux-use.yaml) and `for` 0. */
export const cpuUtilizationRule = rule({
  id: 'cpu.utilization',
  metric: 'cpu.utilization',
  warn: 0.7,
  crit: 0.9,
  clear: 0.6,
  drilldown: 'cpu',
  next: ['mpstat -P ALL 1'],
  summary: 'CPU busy {value} (threshold {threshold})',
});

/** memory.errors.oom_kill as shipped: any OOM kill is critical, `clear_for` 5 minutes. */
export const hostOomRule = rule({
  id: 'memory.errors.oom_kill',
  metric: 'memory.oom_kills',
  dimension: 'errors',
  crit: 0,
  clearForMs: 300_000,
  summary: '{value} processes killed by the OOM killer',
});

/** cpu.saturation.runqueue with the default thresholds, `for` and `clear_for` of 10 s. */
export const runqueueRule = rule({
  id: 'cpu.saturation.runqueue',
  metric: 'cpu.runqueue_per_cpu',
  dimension: 'saturation',
  warn: 1,
  crit: 2,
  clear: 0.8,
  forMs: 10_000,
  clearForMs: 10_000,
  drilldown: 'cpu',
  summary: 'run queue {value} per CPU (threshold {threshold})',
  next: ['mpstat -P ALL 1'],
});

/** fs.saturation.time_to_full, a `below` rule, with the default thresholds and `for` 0. */
export const timeToFullRule = rule({
  id: 'fs.saturation.time_to_full',
  metric: 'fs.hours_to_full',
  dimension: 'saturation',
  direction: 'below',
  warn: 8,
  crit: 2,
  clear: 48,
});

export function override(fields: Omit<Override, 'matches' | 'disabled' | 'origin'> & { disabled?: boolean }): Override {
  return { disabled: false, origin: 'site.yaml:1', matches: instanceMatcher(fields.instance), ...fields };
}

/** The analysis levels of checklists/linux-use.yaml (test/checklist/default.test.ts holds them equal). */
export const DEFAULT_ANALYSIS: AnalysisLevels = {
  runnable_per_cpu: 1,
  system_time: 0.2,
  iowait: 0.1,
  load_trend_ratio: 1.5,
  load_trend_gap: 0.5,
};

export function checklist(rules: Rule[], overrides: Override[] = [], gaps: Gap[] = []): Checklist {
  return { rules, overrides, gaps, linkSpeedsBps: {}, analysis: DEFAULT_ANALYSIS, files: ['test.yaml'] };
}

export function proc(pid: number, name: string, fields: Partial<ProcessEntry> = {}): ProcessEntry {
  return { pid, name, cmd: name, user: 'root', state: 'R', cpu: 0, rssBytes: 0, threads: 1, ...fields };
}

/**
 * `ticks` values alternating ±1 % around a level, starting on the breach side of the rule's
 * direction; around 0 (the "any increase" counter rules) between 1 and 0.
 */
export function oscillate(r: Rule, level: number, ticks: number): number[] {
  const breach = r.direction === 'above' ? 1 : -1;
  return Array.from({ length: ticks }, (_, i) => {
    const side = i % 2 === 0 ? breach : -breach;
    if (level === 0) return side > 0 ? 1 : 0;
    return level * (1 + side * 0.01 * Math.sign(level));
  });
}
