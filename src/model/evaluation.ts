import type { CgroupEntry } from './cgroup.js';
import type { Finding, FindingEvent, KernelEvent, MetricValues, ProcessEntry, UseCell } from './frame.js';

export interface UseEvaluation {
  use: UseCell[];
  findings: Finding[];
  events: FindingEvent[];
}

export interface EvaluationInput {
  metrics: MetricValues;
  processes: ProcessEntry[];
  /**
   * Every workload cgroup read on the tick (their `cgroup.*` metrics are in `metrics`), before the
   * frame is trimmed to the carried ones: findings name them and rank them as culprits.
   */
  cgroups?: CgroupEntry[];
  /** The kernel log records first seen on the tick: OOM findings name the victims they log. */
  kernelEvents?: KernelEvent[];
  /** Epoch ms of the sample. */
  ts: number;
}

/** What the pipeline needs from src/use: one evaluation per tick, keeping rule state between calls. */
export interface UseEvaluatorLike {
  evaluate(input: EvaluationInput): UseEvaluation;
  /** Rule ids of the loaded checklist, announced in the feed's hello. */
  ruleIds(): string[];
}
