import { performance } from 'node:perf_hooks';
import type { Checklist } from '../checklist/model.js';
import type { AgentConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { RepeatedProblemLog } from '../log/repeats.js';
import { FrameBus } from '../pipeline/bus.js';
import { ReloadableEvaluator } from './evaluator.js';

/**
 * What the agent's steps share: the bus every output reads, the checklist evaluator a reload
 * replaces, the configuration in effect, and the times /healthz judges the tick loop by.
 */
export interface AgentState {
  /** The configuration started with, plus what a reload changed (the log settings, the checklists). */
  current: AgentConfig;
  readonly bus: FrameBus;
  readonly evaluator: ReloadableEvaluator;
  /** Source problems (a file absent, an export failing): logged once, then summarised. */
  readonly problems: RepeatedProblemLog;
  /** Monotonic times (ms): a wall-clock step cannot fake or hide a stall. */
  readonly startedMono: number;
  lastTickMono: number | undefined;
}

/** Frames kept for the feed's backfill: five minutes, within bounds whatever the interval. */
export function ringCapacity(intervalMs: number): number {
  return Math.min(600, Math.max(60, Math.ceil(300_000 / intervalMs)));
}

export function agentState(config: AgentConfig, checklist: Checklist, log: Logger): AgentState {
  return {
    current: config,
    bus: new FrameBus(ringCapacity(config.interval), (err) => log.error({ err }, 'frame listener failed')),
    evaluator: new ReloadableEvaluator(checklist),
    problems: new RepeatedProblemLog(log, { summaryIntervalMs: config.log.repeat_summary }),
    startedMono: performance.now(),
    lastTickMono: undefined,
  };
}
