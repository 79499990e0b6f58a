import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readInputText } from '../config/input-file.js';
import { inspectChecklist } from './inspect.js';
import { parseChecklistSource } from './parse-file.js';
import {
  DEFAULT_CHECKLIST,
  PRECOMPILED_DEFAULT,
  PRECOMPILED_FORMAT,
  type PrecompiledSet,
  sha256,
} from './precompiled.js';
import { ChecklistError } from './problem.js';

/** The build step (`npm run build:checklist`): the default file validated once, written as JSON (see precompiled.ts). */

/** The default file's validated items; throws ChecklistError on any problem. */
export async function precompileDefault(): Promise<PrecompiledSet> {
  const { problems } = await inspectChecklist([]);
  if (problems.length > 0) throw new ChecklistError(problems);
  const text = await readInputText(DEFAULT_CHECKLIST);
  const { parsed } = parseChecklistSource(text, DEFAULT_CHECKLIST);
  return {
    format: PRECOMPILED_FORMAT,
    sourceSha256: sha256(text),
    rules: parsed.rules.map((r) => ({ input: r.input, line: r.at('id').line })),
    overrides: parsed.overrides.map((o) => ({ input: o.input, line: o.at().line })),
    gaps: parsed.gaps,
    linkSpeedsBps: parsed.linkSpeeds,
    analysis: parsed.analysis,
  };
}

export async function writePrecompiledDefault(): Promise<void> {
  await mkdir(dirname(PRECOMPILED_DEFAULT), { recursive: true });
  await writeFile(PRECOMPILED_DEFAULT, `${JSON.stringify(await precompileDefault())}\n`);
}
