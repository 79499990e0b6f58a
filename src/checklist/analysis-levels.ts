import type { MetricDef } from '../catalog/index.js';

/**
 * Levels the 60-second analysis of `usewatch check` reads its figures against: the `analysis:`
 * section of a checklist file. They raise no findings; they decide which figures the report
 * remarks on (after Gregg's "Linux Performance Analysis in 60,000 Milliseconds").
 */
export const ANALYSIS_LEVELS = {
  /** vmstat r per CPU above which the run queue reads as CPU saturation. */
  runnable_per_cpu: { name: 'analysis.runnable_per_cpu', unit: 'ratio', canExceedOne: true },
  /** System time (sy + irq + softirq) above which the kernel side is worth a look. */
  system_time: { name: 'analysis.system_time', unit: 'ratio' },
  /** iowait above which a disk bottleneck is likely. */
  iowait: { name: 'analysis.iowait', unit: 'ratio' },
  /** The 1-minute load over the 15-minute one (or the reverse) past which the load reads as rising (falling)… */
  load_trend_ratio: { name: 'analysis.load_trend_ratio', unit: 'ratio', canExceedOne: true },
  /** …when the two also differ by more than this. */
  load_trend_gap: { name: 'analysis.load_trend_gap', unit: 'threads' },
} as const satisfies Record<string, Pick<MetricDef, 'name' | 'unit' | 'canExceedOne'>>;

export type AnalysisLevel = keyof typeof ANALYSIS_LEVELS;
export const ANALYSIS_LEVEL_NAMES = Object.keys(ANALYSIS_LEVELS) as AnalysisLevel[];

/** In base units (ratios 0–1); a level the checklist does not set turns its remark off. */
export type AnalysisLevels = Partial<Record<AnalysisLevel, number>>;
