import type { Finding, FindingEvent, MetricValues, ProcessEntry, UseCell } from './frame.js';

export interface UseEvaluation {
  use: UseCell[];
  findings: Finding[];
  events: FindingEvent[];
}

export interface EvaluationInput {
  metrics: MetricValues;
  processes: ProcessEntry[];
  /** Epoch ms of the sample. */
  ts: number;
}

/** What the pipeline needs from src/use: one evaluation per tick, keeping rule state between calls. */
export interface UseEvaluatorLike {
  evaluate(input: EvaluationInput): UseEvaluation;
  /** Rule ids of the loaded checklist, announced in the feed's hello. */
  ruleIds(): string[];
}
