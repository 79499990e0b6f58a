import { catalogByName, type MetricDef } from '../catalog/index.js';
import type { Dimension, Resource } from '../model/frame.js';
import { parseDuration } from './duration.js';
import { instanceMatcher, type Override, type Rule } from './model.js';
import type { OverrideInput, RuleInput } from './schema.js';
import { validatedLevels } from './threshold.js';

/**
 * Validated input (from a YAML file or the precompiled default set) into the rules and overrides
 * the evaluator runs. Pure, with neither yaml nor zod.
 */

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
