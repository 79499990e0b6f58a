import type { LoadOptions } from './inspect.js';
import type { Checklist } from './model.js';
import { readPrecompiledDefault } from './precompiled.js';
import type { ChecklistProblem } from './problem.js';
import { ChecklistError } from './problem.js';

/**
 * The one way in to checklists. The shipped default set alone comes from its precompiled form
 * (precompiled.ts) without importing yaml or zod; the validating path (inspect.ts, parse-file.ts),
 * which needs both, is imported only when a file must be parsed.
 */

export { DEFAULT_CHECKLIST } from './precompiled.js';
export { ChecklistError, type ChecklistProblem, formatProblem } from './problem.js';
export type { LoadOptions };

/** Every problem across the default set and the user's files, or the assembled set when there are none. */
export async function inspectChecklist(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<{ checklist: Checklist; problems: ChecklistProblem[] }> {
  const inspect = await import('./inspect.js');
  return inspect.inspectChecklist(paths, options);
}

/** Loads the default set plus the user's files; throws ChecklistError listing every problem. */
export async function loadChecklist(paths: readonly string[] = [], options: LoadOptions = {}): Promise<Checklist> {
  if (paths.length === 0 && options.defaults !== false) {
    const precompiled = await readPrecompiledDefault();
    if (precompiled !== undefined) return precompiled;
  }
  const { checklist, problems } = await inspectChecklist(paths, options);
  if (problems.length > 0) throw new ChecklistError(problems);
  return checklist;
}
