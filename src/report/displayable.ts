import { sanitizeDeep } from '../text/sanitize.js';
import type { CheckRun } from './run.js';

/**
 * The run with every name from the host or a recording (instances, processes, summaries, kernel
 * text, host names) made inert for a terminal or a one-line plugin output. The checklist is the
 * user's own file and is kept as loaded: thresholds are looked up in it by instance.
 */
export function displayable(run: CheckRun): CheckRun {
  const { checklist, ...data } = run;
  return { ...sanitizeDeep(data), checklist };
}
