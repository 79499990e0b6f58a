import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings of the agent, set when `usewatch agent` starts, before the agent's modules load, so
 * that the systemd unit, the DaemonSet and an agent started by hand all run with them (V8 refuses
 * them in NODE_OPTIONS; docs/service.md, "Memory: V8's settings for a daemon"):
 *
 * - No optimising compiler (interpreter and baseline code only): TurboFan's compile zones, its
 *   code and the pages of the node binary it runs from were 8–12 MB of the agent's peak RSS in
 *   four side-by-side rounds, and the whole process's CPU at 1 Hz was 0.95–1.04 × what it was
 *   with it (docs/performance.md, "Where the agent's memory goes").
 *
 * V8 reads this as it runs, so setting it after start-up takes effect; the young generation's
 * size, by contrast, is fixed when the heap is created and stays on the unit's command line.
 * A `--max-opt` given to node on the command line wins.
 */
export const AGENT_V8_FLAGS = ['--max-opt=1'] as const;

export function useAgentFootprint(execArgv: readonly string[] = process.execArgv): void {
  for (const flag of AGENT_V8_FLAGS) {
    const name = flag.split('=')[0];
    if (!execArgv.some((arg) => arg === name || arg.startsWith(`${name}=`))) setFlagsFromString(flag);
  }
}
