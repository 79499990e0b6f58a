import { setFlagsFromString } from 'node:v8';
import { type MetricValues, metricInstances } from '../model/frame.js';

/**
 * Processes on the host above which the agent turns V8's optimising compiler (TurboFan) on. Below
 * it the agent runs on V8's interpreter and baseline code: per process, parsing and deriving cost
 * little either way, and TurboFan's compile zones, code and the pages of the node binary it runs
 * from are 8–12 MB of RSS. Above it, the per-process work compiled pays for that memory in CPU
 * (docs/performance.md, "V8's optimising compiler, by host size").
 */
export const OPTIMISE_ABOVE_PROCESSES = 250;

/** Node and V8 flags by which an operator chooses V8's tiers; with any of them the agent leaves the tiers alone. */
const TIER_FLAG =
  /^--(no-)?(max-opt|turbofan|opt|jitless|lite-mode|sparkplug|maglev|always-turbofan|always-sparkplug)(=|$)/;

/**
 * Whether the operator set V8's tiers on node's command line or in NODE_OPTIONS. V8 accepts
 * `--max-opt` only on the command line, but Node passes `--jitless` through NODE_OPTIONS.
 */
export function operatorChoseTiers(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const flags = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  return flags.some((flag) => TIER_FLAG.test(flag.replaceAll('_', '-')));
}

export type SetV8Flags = (flags: string) => void;

/**
 * V8's optimising compiler, off while the host is small and on, for the rest of the agent's life,
 * from the first frame that counts more processes than the threshold. Once on it stays on: its
 * memory is spent by then, and a host that grew once may grow again. V8 reads these flags as it
 * tiers functions up, so setting them while the agent runs takes effect for every function that
 * becomes hot afterwards.
 */
export class OptimiserSwitch {
  private on = false;

  constructor(
    private readonly threshold = OPTIMISE_ABOVE_PROCESSES,
    private readonly setFlags: SetV8Flags = setFlagsFromString,
  ) {}

  /** Turns TurboFan off; called as the agent starts, before its code is hot. */
  start(): void {
    this.setFlags('--max-opt=1');
  }

  get optimising(): boolean {
    return this.on;
  }

  /**
   * Looks at a frame's process count; returns that count when this frame turned the compiler on.
   * `--max-opt=1` also cleared `--turbofan` (a V8 flag implication), so both are set back.
   */
  observe(metrics: MetricValues): number | undefined {
    if (this.on) return undefined;
    const processes = metricInstances(metrics, 'tasks.processes')?.[''];
    if (processes === undefined || !(processes > this.threshold)) return undefined;
    this.on = true;
    this.setFlags('--max-opt=999');
    this.setFlags('--turbofan');
    return processes;
  }
}
