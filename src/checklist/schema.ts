import { z } from 'zod';
import { DIMENSIONS, RESOURCES } from '../model/frame.js';
import { ANALYSIS_LEVEL_NAMES, type AnalysisLevel } from './analysis-levels.js';
import { DURATION, DURATION_HINT } from './duration.js';
import { MAX_PATTERN_LENGTH } from './glob.js';

/** Per-process measures a finding's evidence can be ranked by (see src/derive/processes.ts). */
export const DRILLDOWNS = ['cpu', 'memory', 'io', 'run_delay', 'fds', 'threads', 'faults'] as const;
export type Drilldown = (typeof DRILLDOWNS)[number];

export const DIRECTIONS = ['above', 'below'] as const;
export type Direction = (typeof DIRECTIONS)[number];

const duration = z
  .string({ error: `bad duration: expected ${DURATION_HINT}` })
  .regex(DURATION, { error: `bad duration: expected ${DURATION_HINT}` });

/** A number in the metric's base unit or a number with a unit ("70%", "50ms"); threshold.ts converts it with the metric's unit. */
const threshold = z.union([z.number(), z.string()], {
  error: 'expected a number or a number with a unit, e.g. 0.7, "70%", "50ms", "10MiB/s"',
});
const text = z.string({ error: 'expected a string' }).min(1, { error: 'must not be empty' });
const ruleId = z
  .string({ error: 'expected a rule id' })
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, { error: 'rule ids use a-z, 0-9, ".", "_" and "-"' });

export const ruleSchema = z.strictObject({
  id: ruleId,
  resource: z.enum(RESOURCES as [string, ...string[]]),
  dimension: z.enum(DIMENSIONS as [string, ...string[]]),
  metric: text,
  warn: threshold.optional(),
  crit: threshold.optional(),
  direction: z.enum(DIRECTIONS).optional(),
  clear: threshold.optional(),
  for: duration.optional(),
  clear_for: duration.optional(),
  summary: text,
  explain: text,
  drilldown: z.enum(DRILLDOWNS).optional(),
  next: z.array(text).optional(),
  /** Where the thresholds come from: [G] Gregg, [NM] node-mixin, [P] our proposal, Netdata, Glances, [OOMD]. */
  ref: text.optional(),
  /** When the metric is absent, the cell is a gap for this reason instead of "unknown". */
  gap: text.optional(),
});

export const overrideSchema = z.strictObject({
  rule: ruleId,
  /** Exact instance or a glob with * and ? (glob.ts); all instances when left out. */
  instance: z
    .string({ error: 'expected an instance name or glob' })
    .max(MAX_PATTERN_LENGTH, { error: `patterns are limited to ${MAX_PATTERN_LENGTH} characters` })
    .optional(),
  warn: threshold.optional(),
  crit: threshold.optional(),
  clear: threshold.optional(),
  for: duration.optional(),
  clear_for: duration.optional(),
  disabled: z.boolean({ error: 'expected true or false' }).optional(),
});

export const gapSchema = z.strictObject({
  resource: z.enum(RESOURCES as [string, ...string[]]),
  dimension: z.enum(DIMENSIONS as [string, ...string[]]),
  reason: text,
});

const optionalThreshold = threshold.optional();

/** Levels the 60-second analysis of `usewatch check` reads figures against (analysis-levels.ts); they raise no findings. */
export const analysisSchema = z.strictObject(
  Object.fromEntries(ANALYSIS_LEVEL_NAMES.map((k) => [k, optionalThreshold])) as Record<
    AnalysisLevel,
    typeof optionalThreshold
  >,
);

export const checklistFileSchema = z.strictObject({
  rules: z.array(ruleSchema).optional(),
  overrides: z.array(overrideSchema).optional(),
  gaps: z.array(gapSchema).optional(),
  /** Link speeds in bits/s by interface, for NICs whose sysfs speed is unknown (virtio reports -1). */
  link_speeds: z.record(z.string(), z.number().positive({ error: 'expected bits per second, > 0' })).optional(),
  analysis: analysisSchema.optional(),
});

export type RuleInput = z.infer<typeof ruleSchema>;
export type OverrideInput = z.infer<typeof overrideSchema>;
export type GapInput = z.infer<typeof gapSchema>;
export type ChecklistFileInput = z.infer<typeof checklistFileSchema>;

/** JSON Schema of a checklist file, for editor completion (`# yaml-language-server: $schema=…`). */
export function checklistJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(checklistFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
