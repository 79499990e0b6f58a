import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Document, isMap, isNode, isPair, isScalar, isSeq, type LineCounter } from 'yaml';
import type { z } from 'zod';
import { catalogByName } from '../catalog/index.js';
import { InputFileError, readInputText } from '../config/input-file.js';
import { MAX_PROBLEMS, parseYamlInput, yamlValues } from '../config/yaml-input.js';
import type { Dimension, Resource } from '../model/frame.js';
import { DEFAULT_CHECKLIST, type LoadOptions, type PrecompiledSet, sha256, toOverride, toRule } from './default-set.js';
import { type Checklist, type Gap, type Override, type Rule, thresholdProblems } from './model.js';
import {
  checklistFileSchema,
  gapSchema,
  type OverrideInput,
  overrideSchema,
  type RuleInput,
  ruleSchema,
} from './schema.js';
import { formatThreshold, type Levels, readLevels, THRESHOLD_FIELDS } from './threshold.js';

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

// Importers of this module keep these names; default-set.ts holds them so that loading the shipped
// set alone needs neither yaml nor zod.
export { DEFAULT_CHECKLIST, type LoadOptions, loadChecklist } from './default-set.js';

type Path = (string | number)[];

interface Located<T> {
  input: T;
  /** Position of a field of this item (or of the item itself when the field is not written). */
  at: (field?: string) => ChecklistProblem;
}

interface ParsedFile {
  file: string;
  rules: Located<RuleInput>[];
  /** Every rule id written, valid rule or not, so duplicates are found even among broken rules. */
  ids: { id: string; at: ChecklistProblem }[];
  overrides: Located<OverrideInput>[];
  gaps: Gap[];
  linkSpeeds: Record<string, number>;
}

/** Positions for paths into one YAML document. */
class Locator {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number, message: string): ChecklistProblem {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col, message };
  }

  has(path: Path): boolean {
    return path.length === 0 ? this.doc.contents !== null : this.doc.hasIn(path);
  }

  /** The node at the path, or the nearest written ancestor when the path does not exist (a missing field). */
  path(path: Path, message: string, unknownKey?: string): ChecklistProblem {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      if (!isNode(node) || node.range === undefined || node.range === null) continue;
      if (unknownKey !== undefined && n === path.length && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === unknownKey);
        if (pair !== undefined && isNode(pair.key) && pair.key.range) return this.at(pair.key.range[0], message);
      }
      return this.at(node.range[0], message);
    }
    return { file: this.file, line: 1, col: 1, message };
  }
}

function pathLabel(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

function zodProblems(error: z.ZodError, prefix: Path, where: Locator): ChecklistProblem[] {
  const out: ChecklistProblem[] = [];
  // Locating an issue walks its map's pairs: locating all of a file's (one per item) was quadratic.
  for (const issue of error.issues.slice(0, MAX_PROBLEMS)) {
    const path = [...prefix, ...(issue.path as Path)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push(where.path(path, `${pathLabel([...path, key])}: unknown field "${key}"`, key));
      }
      continue;
    }
    const message = where.has(path) ? issue.message : 'missing (required)';
    out.push(where.path(path, `${pathLabel(path)}: ${message}`));
  }
  return out;
}

/** Catalog name, threshold units and ranges, and threshold order, checked on whatever fields of a rule have the right type. */
function ruleProblems(raw: unknown, path: Path, where: Locator): ChecklistProblem[] {
  if (raw === null || typeof raw !== 'object') return [];
  const r = raw as Record<string, unknown>;
  const out: ChecklistProblem[] = [];
  const at = (field: string | undefined, message: string) =>
    where.path(
      field === undefined ? path : [...path, field],
      `${pathLabel(field === undefined ? path : [...path, field])}: ${message}`,
    );
  const def = typeof r.metric === 'string' ? catalogByName.get(r.metric) : undefined;
  if (typeof r.metric === 'string' && r.metric !== '' && def === undefined) {
    out.push(at('metric', `unknown metric "${r.metric}" (not in the catalog)`));
  }
  const direction = r.direction === undefined ? 'above' : r.direction;
  if (direction !== 'above' && direction !== 'below') return out;
  const written = THRESHOLD_FIELDS.every(
    (k) => r[k] === undefined || typeof r[k] === 'number' || typeof r[k] === 'string',
  );
  if (!written) return out;
  // Without a known metric there is no unit: bare numbers are still checked for order.
  const bare = THRESHOLD_FIELDS.every((k) => typeof r[k] !== 'string');
  if (def === undefined && !bare) return out;
  const { levels, problems } =
    def === undefined ? { levels: r as Levels<number>, problems: [] } : readLevels(r as Levels<number | string>, def);
  for (const p of problems) out.push(at(p.field, p.message));
  if (problems.length > 0) return out;
  const show = (n: number) => (def === undefined ? String(n) : formatThreshold(n, def.unit));
  for (const p of thresholdProblems(direction, levels, show)) out.push(at(p.field, p.message));
  return out;
}

/** Parses and validates one file on its own (syntax, schema, catalog names, threshold order). */
export function parseChecklistSource(text: string, file: string): { parsed: ParsedFile; problems: ChecklistProblem[] } {
  const parsed: ParsedFile = { file, rules: [], ids: [], overrides: [], gaps: [], linkSpeeds: {} };
  const yaml = parseYamlInput(text);
  const at = (offset: number, message: string): ChecklistProblem => {
    const { line, col } = yaml.lines.linePos(offset);
    return { file, line, col, message };
  };
  const problems = yaml.problems.map((p) => at(p.offset, p.message));
  const doc = yaml.doc;
  if (doc === undefined || problems.length > 0) return { parsed, problems };
  if (doc.contents === null) {
    problems.push({ file, line: 1, col: 1, message: 'empty file: expected rules:, overrides: or gaps:' });
    return { parsed, problems };
  }
  const where = new Locator(file, doc, yaml.lines);
  const values = yamlValues(doc);
  if ('problem' in values) {
    problems.push(at(values.problem.offset, values.problem.message));
    return { parsed, problems };
  }

  const data: unknown = values.value;
  const full = () => problems.length >= MAX_PROBLEMS;
  const add = (found: readonly ChecklistProblem[]) => {
    for (const p of found) if (!full()) problems.push(p);
  };
  // A bare list is a list of rules (the short form); otherwise the mapping with rules/overrides/gaps.
  const root = isSeq(doc.contents) ? { rules: data } : data;
  const prefix = (key: string): Path => (isSeq(doc.contents) ? [] : [key]);
  const shape = checklistFileSchema
    .partial()
    .safeParse(
      root !== null && typeof root === 'object' && !Array.isArray(root)
        ? { ...root, rules: undefined, overrides: undefined, gaps: undefined }
        : root,
    );
  // A bad top-level key or link speed is one problem among others: the sections are still checked,
  // so that one run reports every problem in the file.
  if (shape.success) parsed.linkSpeeds = shape.data.link_speeds ?? {};
  else add(zodProblems(shape.error, [], where));
  if (root === null || typeof root !== 'object') return { parsed, problems };
  const sections = root as { rules?: unknown; overrides?: unknown; gaps?: unknown };

  const items = (key: 'rules' | 'overrides' | 'gaps'): unknown[] => {
    const value = sections[key];
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    problems.push(where.path(prefix(key), `${key}: expected a list`));
    return [];
  };

  items('rules').forEach((raw, i) => {
    if (full()) return;
    const path = [...prefix('rules'), i];
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'string') parsed.ids.push({ id, at: where.path([...path, 'id'], '') });
    const result = ruleSchema.safeParse(raw);
    if (!result.success) add(zodProblems(result.error, path, where));
    const semantic = ruleProblems(raw, path, where);
    add(semantic);
    if (!result.success || semantic.length > 0) return;
    parsed.rules.push({
      input: result.data,
      at: (field?: string) => where.path(field === undefined ? path : [...path, field], ''),
    });
  });

  items('overrides').forEach((raw, i) => {
    if (full()) return;
    const path = [...prefix('overrides'), i];
    const result = overrideSchema.safeParse(raw);
    if (!result.success) {
      add(zodProblems(result.error, path, where));
      return;
    }
    parsed.overrides.push({
      input: result.data,
      at: (field?: string) => where.path(field === undefined ? path : [...path, field], ''),
    });
  });

  items('gaps').forEach((raw, i) => {
    if (full()) return;
    const result = gapSchema.safeParse(raw);
    if (!result.success) {
      add(zodProblems(result.error, [...prefix('gaps'), i], where));
      return;
    }
    const g = result.data;
    parsed.gaps.push({ resource: g.resource as Resource, dimension: g.dimension as Dimension, reason: g.reason });
  });

  if (full())
    problems.push({ ...problems[problems.length - 1], message: `stopped after ${MAX_PROBLEMS} problems in this file` });
  return { parsed, problems };
}

function sameSpot(a: ChecklistProblem | undefined, b: ChecklistProblem): boolean {
  return a !== undefined && a.file === b.file && a.line === b.line && a.col === b.col;
}

/** Joins parsed files into one set: duplicate ids, overrides of unknown rules, overridden thresholds. */
function assemble(files: ParsedFile[], problems: ChecklistProblem[]): Checklist {
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
  const rules: Rule[] = [];
  for (const f of files) {
    for (const r of f.rules) {
      const at = r.at('id');
      if (sameSpot(firstAt.get(r.input.id), at)) rules.push(toRule(r.input, `${at.file}:${at.line}`));
    }
  }
  const byId = new Map(rules.map((r) => [r.id, r]));
  const overrides: Override[] = [];
  for (const f of files) {
    for (const o of f.overrides) {
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
      const override = toOverride(o.input, `${o.at().file}:${o.at().line}`, metric);
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
      overrides.push(override);
    }
  }
  return {
    rules,
    overrides,
    gaps: files.flatMap((f) => f.gaps),
    linkSpeedsBps: Object.assign({}, ...files.map((f) => f.linkSpeeds)),
    files: files.map((f) => f.file),
  };
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
      problems.push({
        file: p,
        line: 1,
        col: 1,
        message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? err}`,
      });
    }
  }
  return out;
}

/** Every problem across the files, or the assembled set when there are none. */
export async function inspectChecklist(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<{ checklist: Checklist; problems: ChecklistProblem[] }> {
  const problems: ChecklistProblem[] = [];
  const requested = [...(options.defaults === false ? [] : [DEFAULT_CHECKLIST]), ...paths];
  const files: ParsedFile[] = [];
  const seen = new Set<string>();
  for (const file of await expandPaths(requested, problems)) {
    let real: string;
    let text: string;
    try {
      real = await realpath(file);
      text = await readInputText(file);
    } catch (err) {
      const reason = err instanceof InputFileError ? err.reason : ((err as NodeJS.ErrnoException).code ?? String(err));
      problems.push({ file, line: 1, col: 1, message: `cannot read: ${reason}` });
      continue;
    }
    // Naming the default set again (`checklist validate checklists/linux-use.yaml`) must not count its ids twice.
    if (seen.has(real)) continue;
    seen.add(real);
    const result = parseChecklistSource(text, file);
    problems.push(...result.problems);
    files.push(result.parsed);
  }
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

/** The default file's validated items for dist/checklists/ (see default-set.ts); throws ChecklistError on any problem. */
export async function precompileDefault(): Promise<PrecompiledSet> {
  const { problems } = await inspectChecklist([]);
  if (problems.length > 0) throw new ChecklistError(problems);
  const text = await readInputText(DEFAULT_CHECKLIST);
  const { parsed } = parseChecklistSource(text, DEFAULT_CHECKLIST);
  return {
    format: 1,
    sourceSha256: sha256(text),
    rules: parsed.rules.map((r) => ({ input: r.input, line: r.at('id').line })),
    overrides: parsed.overrides.map((o) => ({ input: o.input, line: o.at().line })),
    gaps: parsed.gaps,
    linkSpeedsBps: parsed.linkSpeeds,
  };
}
