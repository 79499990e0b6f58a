import { setFlagsFromString } from 'node:v8';
import { type MetricValues, metricInstances } from '../model/frame.js';

/**
 * Processes on the host above which the agent takes V8's settings for a big host. Below it, per
 * process, parsing and deriving cost little either way, and memory is what the agent can save;
 * above it, the per-process work compiled by TurboFan saves more CPU than its memory costs
 * (docs/performance.md, "V8's settings by host size").
 */
export const BIG_HOST_PROCESSES = 250;

/**
 * A small host's settings, set as the agent starts:
 * - `--max-opt=1`: V8's interpreter and baseline compiler only. TurboFan's compile zones, its code
 *   and the pages of the node binary it runs from were 6–9 MB of RSS.
 * - `--incremental-marking-soft-trigger=25`: the old generation is marked once a quarter of its room
 *   to grow (at least 8 MB past what the last collection left) is used, not when most of it is:
 *   promoted garbage is collected every 20 s or so instead of piling up, 4–5 MB less RSS for about
 *   5 % more CPU.
 */
export const SMALL_HOST_V8_FLAGS = ['--max-opt=1', '--incremental-marking-soft-trigger=25'] as const;

/**
 * A big host's: V8's defaults. `--max-opt=1` also cleared `--turbofan` (a V8 flag implication), so
 * both are set back.
 */
export const BIG_HOST_V8_FLAGS = ['--max-opt=999', '--turbofan', '--incremental-marking-soft-trigger=0'] as const;

/**
 * Node and V8 flags by which an operator sets what the profiles set; with any of them the agent leaves
 * V8 as told.
 */
const OPERATOR_FLAG =
  /^--(no-)?(max-opt|turbofan|opt|jitless|lite-mode|sparkplug|maglev|always-turbofan|always-sparkplug|incremental-marking-soft-trigger|optimize-for-size)(=|$)/;

/**
 * Whether the operator set V8's tiers or old-generation trigger on node's command line or in
 * NODE_OPTIONS. Node accepts most of these only on its command line, but `--jitless` in NODE_OPTIONS
 * too.
 */
export function operatorTunedV8(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const flags = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  return flags.some((flag) => OPERATOR_FLAG.test(flag.replaceAll('_', '-')));
}

export type SetV8Flags = (flags: string) => void;

/**
 * V8's settings by host size: a small host's from the start, a big host's for the rest of the
 * agent's life from the first frame that counts more processes than the threshold. There is no way
 * back: TurboFan's memory is spent by then, and a host that grew once may grow again. V8 reads
 * these flags as it runs (when it tiers a function up, when it decides to start marking), so
 * setting them while the agent runs takes effect from then on.
 */
export class V8Profile {
  private big = false;

  constructor(
    private readonly threshold = BIG_HOST_PROCESSES,
    private readonly setFlags: SetV8Flags = setFlagsFromString,
  ) {}

  /** Sets the small host's flags; called as the agent starts, before its code is hot. */
  start(): void {
    for (const flag of SMALL_HOST_V8_FLAGS) this.setFlags(flag);
  }

  get bigHost(): boolean {
    return this.big;
  }

  /** Looks at a frame's process count; returns that count when this frame switched to the big host's flags. */
  observe(metrics: MetricValues): number | undefined {
    if (this.big) return undefined;
    const processes = metricInstances(metrics, 'tasks.processes')?.[''];
    if (processes === undefined || !(processes > this.threshold)) return undefined;
    this.big = true;
    for (const flag of BIG_HOST_V8_FLAGS) this.setFlags(flag);
    return processes;
  }
}
