/** A problem in a checklist file, at the position it was found. */
export interface ChecklistProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatProblem(p: ChecklistProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** A checklist set that cannot be used; `problems` holds every problem found, not just the first. */
export class ChecklistError extends Error {
  override name = 'ChecklistError';
  constructor(readonly problems: ChecklistProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}
