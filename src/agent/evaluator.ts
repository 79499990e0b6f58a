import type { Checklist } from '../checklist/model.js';
import type { EvaluationInput, UseEvaluation, UseEvaluatorLike } from '../model/evaluation.js';
import { UseEvaluator } from '../use/evaluator.js';

/**
 * The evaluator the engine holds for its lifetime, whose checklist a SIGHUP can replace between
 * ticks. Rule state starts afresh with a new set: pending and firing findings are raised again if
 * their breach persists.
 */
export class ReloadableEvaluator implements UseEvaluatorLike {
  private current: UseEvaluator;

  constructor(checklist: Checklist) {
    this.current = new UseEvaluator({ checklist });
  }

  replace(checklist: Checklist): void {
    this.current = new UseEvaluator({ checklist });
  }

  evaluate(input: EvaluationInput): UseEvaluation {
    return this.current.evaluate(input);
  }

  ruleIds(): string[] {
    return this.current.ruleIds();
  }
}
