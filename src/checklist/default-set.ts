import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogByName, type MetricDef } from '../catalog/index.js';
import type { Dimension, Resource } from '../model/frame.js';
import { parseDuration } from './duration.js';
import { type Checklist, type Gap, instanceMatcher, type Override, type Rule } from './model.js';
import type { OverrideInput, RuleInput } from './schema.js';
import { validatedLevels } from './threshold.js';

/**
 * Loading checklists without yaml and zod when only the shipped default set is asked for.
 * Validating checklists/linux-use.yaml needs both libraries: about 9 MB of RSS at import, plus the
 * parse, which `usewatch top` (budget 70 MB) would pay at every start for a file that changes only
 * with a release. So the build validates it once (`npm run build`) and writes its validated items
 * as JSON to dist/checklists/. That JSON carries the SHA-256 of the YAML it came from: an edited
 * default file, a missing JSON or a source tree without a build all take the full path through
 * load.ts, with the same result.
 */

/** The default set shipped in checklists/, found from this module both in src/ (tests) and dist/src/ (built). */
export const DEFAULT_CHECKLIST = findDefaultChecklist();

/** Where the build writes the precompiled default set: dist/checklists/, from dist/src/checklist/. */
export const PRECOMPILED_DEFAULT = fileURLToPath(new URL('../../checklists/linux-use.json', import.meta.url));

function findDefaultChecklist(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'checklists', 'linux-use.yaml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return candidate;
    dir = parent;
  }
}

export interface LoadOptions {
  /** Load the shipped default set first (true unless the caller wants only its own files). */
  defaults?: boolean;
}

export function toRule(input: RuleInput, origin: string): Rule {
  const def = catalogByName.get(input.metric)!;
  const forMs = input.for === undefined ? 0 : parseDuration(input.for)!;
  const { warn, crit, clear } = validatedLevels(input, def);
  return {
    id: input.id,
    resource: input.resource as Resource,
    dimension: input.dimension as Dimension,
    metric: def.name,
    unit: def.unit,
    instanceKind: def.instance,
    direction: input.direction ?? 'above',
    warn,
    crit,
    clear,
    forMs,
    clearForMs: input.clear_for === undefined ? forMs : parseDuration(input.clear_for)!,
    summary: input.summary,
    explain: input.explain,
    drilldown: input.drilldown,
    next: input.next ?? [],
    ref: input.ref,
    gap: input.gap,
    origin,
  };
}

/** An override of a rule on `metric`, whose unit reads the override's levels. */
export function toOverride(input: OverrideInput, origin: string, metric: MetricDef): Override {
  const instance = input.instance ?? '*';
  const { warn, crit, clear } = validatedLevels(input, metric);
  return {
    rule: input.rule,
    instance,
    matches: instanceMatcher(instance),
    warn,
    crit,
    clear,
    forMs: input.for === undefined ? undefined : parseDuration(input.for),
    clearForMs: input.clear_for === undefined ? undefined : parseDuration(input.clear_for),
    disabled: input.disabled ?? false,
    origin,
  };
}

const FORMAT = 1;

/** The validated items of the default file, each with the line its origin names. */
export interface PrecompiledSet {
  format: typeof FORMAT;
  sourceSha256: string;
  rules: { input: RuleInput; line: number }[];
  overrides: { input: OverrideInput; line: number }[];
  gaps: Gap[];
  linkSpeedsBps: Record<string, number>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The default set from its JSON form; undefined when that form is unreadable or was built from another text. */
export function fromPrecompiled(json: string, yamlText: string, file: string): Checklist | undefined {
  let set: PrecompiledSet;
  try {
    set = JSON.parse(json) as PrecompiledSet;
  } catch {
    return undefined;
  }
  if (set.format !== FORMAT || set.sourceSha256 !== sha256(yamlText)) return undefined;
  const rules = set.rules.map((r) => toRule(r.input, `${file}:${r.line}`));
  const metricOf = (id: string) => catalogByName.get(rules.find((r) => r.id === id)!.metric)!;
  return {
    rules,
    overrides: set.overrides.map((o) => toOverride(o.input, `${file}:${o.line}`, metricOf(o.input.rule))),
    gaps: set.gaps,
    linkSpeedsBps: set.linkSpeedsBps,
    files: [file],
  };
}

async function loadPrecompiledDefault(): Promise<Checklist | undefined> {
  try {
    const [json, yamlText] = await Promise.all([
      readFile(PRECOMPILED_DEFAULT, 'utf8'),
      readFile(DEFAULT_CHECKLIST, 'utf8'),
    ]);
    return fromPrecompiled(json, yamlText, DEFAULT_CHECKLIST);
  } catch {
    return undefined; // no build output (tests run from src/): the full path below
  }
}

/** Loads the default set plus the user's files; throws ChecklistError (load.ts) listing every problem. */
export async function loadChecklist(paths: readonly string[] = [], options: LoadOptions = {}): Promise<Checklist> {
  if (paths.length === 0 && options.defaults !== false) {
    const precompiled = await loadPrecompiledDefault();
    if (precompiled !== undefined) return precompiled;
  }
  const { ChecklistError, inspectChecklist } = await import('./load.js');
  const { checklist, problems } = await inspectChecklist(paths, options);
  if (problems.length > 0) throw new ChecklistError(problems);
  return checklist;
}

/** Build step: validates the default file with the full loader and writes its JSON form. */
export async function writePrecompiledDefault(): Promise<void> {
  const { precompileDefault } = await import('./load.js');
  await mkdir(dirname(PRECOMPILED_DEFAULT), { recursive: true });
  await writeFile(PRECOMPILED_DEFAULT, `${JSON.stringify(await precompileDefault())}\n`);
}
