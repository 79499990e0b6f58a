import { type Document, isMap, isNode, isPair, isScalar, isSeq, type LineCounter } from 'yaml';
import type { z } from 'zod';
import { catalogByName } from '../catalog/index.js';
import { MAX_PROBLEMS, parseYamlInput, yamlValues } from '../config/yaml-input.js';
import type { Dimension, Resource } from '../model/frame.js';
import { ANALYSIS_LEVEL_NAMES, ANALYSIS_LEVELS, type AnalysisLevels } from './analysis-levels.js';
import { type Gap, thresholdProblems } from './model.js';
import type { ChecklistProblem } from './problem.js';
import {
  checklistFileSchema,
  gapSchema,
  type OverrideInput,
  overrideSchema,
  type RuleInput,
  ruleSchema,
} from './schema.js';
import { formatThreshold, type Levels, parseThreshold, readLevels, THRESHOLD_FIELDS } from './threshold.js';

/** One checklist file on its own: YAML syntax, the schema, catalog names and threshold order, with positions. */

type Path = (string | number)[];

export interface Located<T> {
  input: T;
  /** Position of a field of this item (or of the item itself when the field is not written). */
  at: (field?: string) => ChecklistProblem;
}

export interface ParsedFile {
  file: string;
  rules: Located<RuleInput>[];
  /** Every rule id written, valid rule or not, so duplicates are found even among broken rules. */
  ids: { id: string; at: ChecklistProblem }[];
  overrides: Located<OverrideInput>[];
  gaps: Gap[];
  linkSpeeds: Record<string, number>;
  analysis: AnalysisLevels;
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

  /** Positions of an item's fields, for problems found once files are joined. */
  item(path: Path): (field?: string) => ChecklistProblem {
    return (field?: string) => this.path(field === undefined ? path : [...path, field], '');
  }
}

/** A file's problems: those of its items stop at MAX_PROBLEMS, so a huge broken file costs bounded time. */
class FileProblems {
  readonly list: ChecklistProblem[] = [];

  full(): boolean {
    return this.list.length >= MAX_PROBLEMS;
  }

  add(found: readonly ChecklistProblem[]): void {
    for (const p of found) if (!this.full()) this.list.push(p);
  }
}

interface FileContext {
  where: Locator;
  problems: FileProblems;
  /** Where a section's items are: under its key, or at the top for a bare list of rules. */
  prefix: (key: string) => Path;
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

/** The document and its plain values, or the problems that stop the file from being read further. */
function readDocument(
  text: string,
  file: string,
): { problems: ChecklistProblem[] } | { doc: Document; where: Locator; data: unknown } {
  const yaml = parseYamlInput(text);
  const doc = yaml.doc;
  const where = doc === undefined ? undefined : new Locator(file, doc, yaml.lines);
  const at = (offset: number, message: string): ChecklistProblem => {
    const { line, col } = yaml.lines.linePos(offset);
    return { file, line, col, message };
  };
  const problems = yaml.problems.map((p) => at(p.offset, p.message));
  if (doc === undefined || where === undefined || problems.length > 0) return { problems };
  if (doc.contents === null) {
    return { problems: [{ file, line: 1, col: 1, message: 'empty file: expected rules:, overrides: or gaps:' }] };
  }
  const values = yamlValues(doc);
  if ('problem' in values) return { problems: [at(values.problem.offset, values.problem.message)] };
  return { doc, where, data: values.value };
}

/** The analysis levels as written, in base units. */
function readAnalysis(written: Partial<Record<string, number | string>>, ctx: FileContext): AnalysisLevels {
  const levels: AnalysisLevels = {};
  for (const key of ANALYSIS_LEVEL_NAMES) {
    const raw = written[key];
    if (raw === undefined) continue;
    const read = parseThreshold(raw, ANALYSIS_LEVELS[key]);
    if (read.ok) levels[key] = read.value;
    else ctx.problems.add([ctx.where.path(['analysis', key], `analysis.${key}: ${read.message}`)]);
  }
  return levels;
}

/**
 * The top-level keys, link speeds and analysis levels, with the sections left out. A bad top-level
 * key or level is one problem among others: the sections are still checked, so that one run
 * reports every problem in the file.
 */
function readSettings(root: unknown, ctx: FileContext, parsed: ParsedFile): void {
  const shape = checklistFileSchema
    .partial()
    .safeParse(
      root !== null && typeof root === 'object' && !Array.isArray(root)
        ? { ...root, rules: undefined, overrides: undefined, gaps: undefined }
        : root,
    );
  if (!shape.success) {
    ctx.problems.add(zodProblems(shape.error, [], ctx.where));
    // The levels that are there are still read, so that a bad unit is reported beside an unknown key.
    parsed.analysis = readAnalysis(writtenLevels(root), ctx);
    return;
  }
  parsed.linkSpeeds = shape.data.link_speeds ?? {};
  parsed.analysis = readAnalysis(shape.data.analysis ?? {}, ctx);
}

/** The analysis section's values that could be levels (numbers and strings), from a file that failed its shape. */
function writtenLevels(root: unknown): Partial<Record<string, number | string>> {
  const section = root !== null && typeof root === 'object' ? (root as { analysis?: unknown }).analysis : undefined;
  if (section === null || typeof section !== 'object' || Array.isArray(section)) return {};
  const levels: Partial<Record<string, number | string>> = {};
  for (const [key, value] of Object.entries(section)) {
    if (typeof value === 'number' || typeof value === 'string') levels[key] = value;
  }
  return levels;
}

type SectionKey = 'rules' | 'overrides' | 'gaps';

function sectionItems(sections: Partial<Record<SectionKey, unknown>>, key: SectionKey, ctx: FileContext): unknown[] {
  const value = sections[key];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  ctx.problems.list.push(ctx.where.path(ctx.prefix(key), `${key}: expected a list`));
  return [];
}

function readRules(items: unknown[], ctx: FileContext, parsed: ParsedFile): void {
  items.forEach((raw, i) => {
    if (ctx.problems.full()) return;
    const path = [...ctx.prefix('rules'), i];
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'string') parsed.ids.push({ id, at: ctx.where.path([...path, 'id'], '') });
    const result = ruleSchema.safeParse(raw);
    if (!result.success) ctx.problems.add(zodProblems(result.error, path, ctx.where));
    const semantic = ruleProblems(raw, path, ctx.where);
    ctx.problems.add(semantic);
    if (!result.success || semantic.length > 0) return;
    parsed.rules.push({ input: result.data, at: ctx.where.item(path) });
  });
}

function readOverrides(items: unknown[], ctx: FileContext, parsed: ParsedFile): void {
  items.forEach((raw, i) => {
    if (ctx.problems.full()) return;
    const path = [...ctx.prefix('overrides'), i];
    const result = overrideSchema.safeParse(raw);
    if (result.success) parsed.overrides.push({ input: result.data, at: ctx.where.item(path) });
    else ctx.problems.add(zodProblems(result.error, path, ctx.where));
  });
}

function readGaps(items: unknown[], ctx: FileContext, parsed: ParsedFile): void {
  items.forEach((raw, i) => {
    if (ctx.problems.full()) return;
    const result = gapSchema.safeParse(raw);
    if (!result.success) {
      ctx.problems.add(zodProblems(result.error, [...ctx.prefix('gaps'), i], ctx.where));
      return;
    }
    const g = result.data;
    parsed.gaps.push({ resource: g.resource as Resource, dimension: g.dimension as Dimension, reason: g.reason });
  });
}

/** Parses and validates one file on its own (syntax, schema, catalog names, threshold order). */
export function parseChecklistSource(text: string, file: string): { parsed: ParsedFile; problems: ChecklistProblem[] } {
  const parsed: ParsedFile = { file, rules: [], ids: [], overrides: [], gaps: [], linkSpeeds: {}, analysis: {} };
  const read = readDocument(text, file);
  if (!('doc' in read)) return { parsed, problems: read.problems };
  // A bare list is a list of rules (the short form); otherwise the mapping with rules/overrides/gaps.
  const short = isSeq(read.doc.contents);
  const root = short ? { rules: read.data } : read.data;
  const ctx: FileContext = { where: read.where, problems: new FileProblems(), prefix: (key) => (short ? [] : [key]) };
  readSettings(root, ctx, parsed);
  const problems = ctx.problems.list;
  if (root === null || typeof root !== 'object') return { parsed, problems };
  const sections = root as Partial<Record<SectionKey, unknown>>;
  readRules(sectionItems(sections, 'rules', ctx), ctx, parsed);
  readOverrides(sectionItems(sections, 'overrides', ctx), ctx, parsed);
  readGaps(sectionItems(sections, 'gaps', ctx), ctx, parsed);
  if (ctx.problems.full()) {
    problems.push({ ...problems[problems.length - 1], message: `stopped after ${MAX_PROBLEMS} problems in this file` });
  }
  return { parsed, problems };
}
