import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogByName } from '../catalog/index.js';
import type { AnalysisLevels } from './analysis-levels.js';
import { toOverride, toRule } from './convert.js';
import type { Checklist, Gap } from './model.js';
import type { OverrideInput, RuleInput } from './schema.js';

/**
 * The shipped default set in its precompiled form. Validating checklists/linux-use.yaml needs yaml
 * and zod: about 9 MB of RSS at import, plus the parse, which `usewatch top` (budget 70 MB) and
 * every agent start would pay for a file that changes only with a release. So the build validates
 * it once (`npm run build:checklist`, precompile.ts) and writes its validated items as JSON to
 * dist/checklists/. That JSON carries the SHA-256 of the YAML it came from: an edited default file,
 * a missing JSON or a source tree without a build all take the validating path, with the same result.
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

export const PRECOMPILED_FORMAT = 2;

/** The validated items of the default file, each with the line its origin names. */
export interface PrecompiledSet {
  format: typeof PRECOMPILED_FORMAT;
  sourceSha256: string;
  rules: { input: RuleInput; line: number }[];
  overrides: { input: OverrideInput; line: number }[];
  gaps: Gap[];
  linkSpeedsBps: Record<string, number>;
  analysis: AnalysisLevels;
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
  if (set.format !== PRECOMPILED_FORMAT || set.sourceSha256 !== sha256(yamlText)) return undefined;
  const rules = set.rules.map((r) => toRule(r.input, `${file}:${r.line}`));
  const metricOf = (id: string) => catalogByName.get(rules.find((r) => r.id === id)!.metric)!;
  return {
    rules,
    overrides: set.overrides.map((o) => toOverride(o.input, `${file}:${o.line}`, metricOf(o.input.rule))),
    gaps: set.gaps,
    linkSpeedsBps: set.linkSpeedsBps,
    analysis: set.analysis,
    files: [file],
  };
}

/** The precompiled default set; undefined without a build (tests run from src/) or when it is stale. */
export async function readPrecompiledDefault(): Promise<Checklist | undefined> {
  try {
    const [json, yamlText] = await Promise.all([
      readFile(PRECOMPILED_DEFAULT, 'utf8'),
      readFile(DEFAULT_CHECKLIST, 'utf8'),
    ]);
    return fromPrecompiled(json, yamlText, DEFAULT_CHECKLIST);
  } catch {
    return undefined;
  }
}
