import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { catalogByName } from '../catalog/index.js';
import { InputFileError, readInputText } from '../config/input-file.js';
import { MAX_PROBLEMS } from '../config/yaml-input.js';
import { toOverride, toRule } from './convert.js';
import { type Checklist, type Override, type Rule, thresholdProblems } from './model.js';
import { type ParsedFile, parseChecklistSource } from './parse-file.js';
import { DEFAULT_CHECKLIST } from './precompiled.js';
import type { ChecklistProblem } from './problem.js';
import { formatThreshold, readLevels } from './threshold.js';

/** The validating path: checklist files read, parsed and joined into one set, with every problem found. */

export interface LoadOptions {
  /** Load the shipped default set first (true unless the caller wants only its own files). */
  defaults?: boolean;
}

function sameSpot(a: ChecklistProblem | undefined, b: ChecklistProblem): boolean {
  return a !== undefined && a.file === b.file && a.line === b.line && a.col === b.col;
}

/** Where each rule id is first written; a later one is a duplicate. */
function firstDefinitions(files: ParsedFile[], problems: ChecklistProblem[]): Map<string, ChecklistProblem> {
  const firstAt = new Map<string, ChecklistProblem>();
  for (const f of files) {
    for (const { id, at } of f.ids) {
      const first = firstAt.get(id);
      if (first === undefined) firstAt.set(id, at);
      else
        problems.push({
          ...at,
          message: `duplicate rule id "${id}" (first defined at ${first.file}:${first.line}:${first.col})`,
        });
    }
  }
  return firstAt;
}

/** The overrides of known rules whose levels, merged with the rule's, are readable and in order. */
function joinOverrides(
  files: ParsedFile[],
  rules: Rule[],
  firstAt: Map<string, ChecklistProblem>,
  problems: ChecklistProblem[],
): Override[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const overrides: Override[] = [];
  for (const o of files.flatMap((f) => f.overrides)) {
    const rule = byId.get(o.input.rule);
    if (rule === undefined) {
      if (!firstAt.has(o.input.rule)) {
        problems.push({ ...o.at('rule'), message: `override: unknown rule id "${o.input.rule}"` });
      }
      continue;
    }
    const metric = catalogByName.get(rule.metric)!;
    const { levels, problems: unreadable } = readLevels(o.input, metric);
    for (const p of unreadable) {
      problems.push({ ...o.at(p.field), message: `override of "${rule.id}": ${p.field}: ${p.message}` });
    }
    if (unreadable.length > 0) continue;
    const merged = {
      warn: levels.warn ?? rule.warn,
      crit: levels.crit ?? rule.crit,
      clear: levels.clear ?? rule.clear,
    };
    const show = (n: number) => formatThreshold(n, rule.unit);
    for (const p of thresholdProblems(rule.direction, merged, show)) {
      const field = p.field !== undefined && o.input[p.field] !== undefined ? p.field : undefined;
      problems.push({ ...o.at(field), message: `override of "${rule.id}": ${p.message}` });
    }
    overrides.push(toOverride(o.input, `${o.at().file}:${o.at().line}`, metric));
  }
  return overrides;
}

/** Joins parsed files into one set: duplicate ids, overrides of unknown rules, overridden thresholds. */
function assemble(files: ParsedFile[], problems: ChecklistProblem[]): Checklist {
  const firstAt = firstDefinitions(files, problems);
  const rules: Rule[] = [];
  for (const r of files.flatMap((f) => f.rules)) {
    const at = r.at('id');
    if (sameSpot(firstAt.get(r.input.id), at)) rules.push(toRule(r.input, `${at.file}:${at.line}`));
  }
  return {
    rules,
    overrides: joinOverrides(files, rules, firstAt, problems),
    gaps: files.flatMap((f) => f.gaps),
    linkSpeedsBps: Object.assign({}, ...files.map((f) => f.linkSpeeds)),
    analysis: Object.assign({}, ...files.map((f) => f.analysis)),
    files: files.map((f) => f.file),
  };
}

function unreadable(file: string, reason: string): ChecklistProblem {
  return { file, line: 1, col: 1, message: `cannot read: ${reason}` };
}

/**
 * Expands --checklist arguments: a directory gives its *.yaml/*.yml files in name order, and one
 * without any is a problem (a directory emptied by a deploy must not leave the agent with no
 * rules of its own after a reload).
 */
async function expandPaths(paths: readonly string[], problems: ChecklistProblem[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    try {
      if ((await stat(p)).isDirectory()) {
        const names = (await readdir(p)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
        if (names.length === 0) {
          problems.push({
            file: p,
            line: 1,
            col: 1,
            message: 'the directory holds no checklist files (*.yaml, *.yml)',
          });
        }
        out.push(...names.map((n) => join(p, n)));
      } else {
        out.push(p);
      }
    } catch (err) {
      problems.push(unreadable(p, String((err as NodeJS.ErrnoException).code ?? err)));
    }
  }
  return out;
}

/** Each file parsed once, in order; a file named twice (or the default named again) counts once. */
async function parseFiles(files: string[], problems: ChecklistProblem[]): Promise<ParsedFile[]> {
  const parsed: ParsedFile[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    let real: string;
    let text: string;
    try {
      real = await realpath(file);
      text = await readInputText(file);
    } catch (err) {
      problems.push(
        unreadable(
          file,
          err instanceof InputFileError ? err.reason : ((err as NodeJS.ErrnoException).code ?? String(err)),
        ),
      );
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const result = parseChecklistSource(text, file);
    problems.push(...result.problems);
    parsed.push(result.parsed);
  }
  return parsed;
}

/** Every problem across the files, or the assembled set when there are none. */
export async function inspectChecklist(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<{ checklist: Checklist; problems: ChecklistProblem[] }> {
  const problems: ChecklistProblem[] = [];
  const requested = [...(options.defaults === false ? [] : [DEFAULT_CHECKLIST]), ...paths];
  const files = await parseFiles(await expandPaths(requested, problems), problems);
  // Problems between files (unknown rules overridden, duplicate ids) have the same bound as a file's.
  const before = problems.length;
  const checklist = assemble(files, problems);
  const between = problems.length - before;
  if (between > MAX_PROBLEMS) {
    problems.length = before + MAX_PROBLEMS;
    problems.push({ ...problems[problems.length - 1], message: `${between - MAX_PROBLEMS} more problem(s) not shown` });
  }
  return { checklist, problems };
}
