import { catalogByName } from '../catalog/index.js';
import { formatDuration } from '../checklist/duration.js';
import type { Checklist, Rule } from '../checklist/model.js';
import { formatThreshold } from '../checklist/threshold.js';
import { table } from './table.js';

/** Written as a checklist would write it, so that a value copied into an override means the same. */
function threshold(rule: Pick<Rule, 'unit'>, value: number | undefined): string {
  return value === undefined ? '–' : formatThreshold(value, rule.unit);
}

/** `checklist show`: one line per rule with its thresholds, then the overrides. */
export function renderRuleTable(set: Checklist): string {
  const rows = [
    ['ID', 'CELL', 'METRIC', 'WARN', 'CRIT', 'CLEAR', 'FOR', 'CLEAR_FOR'],
    ...set.rules.map((r) => [
      r.id,
      `${r.resource}/${r.dimension[0].toUpperCase()}`,
      r.metric,
      `${r.direction === 'below' ? '<' : '>'} ${threshold(r, r.warn)}`,
      `${r.direction === 'below' ? '<' : '>'} ${threshold(r, r.crit)}`,
      threshold(r, r.clear ?? r.warn ?? r.crit),
      formatDuration(r.forMs),
      formatDuration(r.clearForMs),
    ]),
  ];
  const out = table(rows);
  if (set.overrides.length > 0) {
    out.push('', 'Overrides');
    for (const o of set.overrides) out.push(`  ${o.rule} @ ${o.instance}: ${describeOverride(set, o)} (${o.origin})`);
  }
  out.push('', `${set.rules.length} rules from ${set.files.join(', ')}`);
  return `${out.join('\n')}\n`;
}

function describeOverride(set: Checklist, o: Checklist['overrides'][number]): string {
  if (o.disabled) return 'disabled';
  // The loader keeps only overrides of known rules.
  const rule = set.rules.find((r) => r.id === o.rule)!;
  const parts: string[] = [];
  if (o.warn !== undefined) parts.push(`warn ${threshold(rule, o.warn)}`);
  if (o.crit !== undefined) parts.push(`crit ${threshold(rule, o.crit)}`);
  if (o.clear !== undefined) parts.push(`clear ${threshold(rule, o.clear)}`);
  if (o.forMs !== undefined) parts.push(`for ${formatDuration(o.forMs)}`);
  if (o.clearForMs !== undefined) parts.push(`clear_for ${formatDuration(o.clearForMs)}`);
  return parts.join(', ');
}

/** The source keys the default checklist cites in `ref` (see its header). */
const SOURCE_KEYS: [key: string, meaning: string][] = [
  ['[G]', 'Brendan Gregg, USE Method: Linux Performance Checklist, and the Netflix 60,000 ms post'],
  ['[NM]', 'prometheus/node_exporter node-mixin alert defaults'],
  ['[OOMD]', 'systemd-oomd defaults'],
  ['[P]', 'a usewatch proposal, reasoned in the text above'],
];

/** `checklist explain RULE`: everything about one rule, its metric and the overrides touching it. */
export function renderRuleExplain(set: Checklist, rule: Rule): string {
  const def = catalogByName.get(rule.metric);
  const dir = rule.direction === 'below' ? 'below' : 'above';
  const out = [
    `${rule.id}: ${rule.resource} ${rule.dimension} (${rule.origin})`,
    '',
    rule.explain,
    '',
    `metric     ${rule.metric}${def ? `: ${def.description}` : ''}`,
  ];
  if (def) out.push(`source     ${def.source}`, `formula    ${def.formula}`);
  out.push(
    `warn       ${rule.warn === undefined ? '–' : `${dir} ${threshold(rule, rule.warn)}`}`,
    `crit       ${rule.crit === undefined ? '–' : `${dir} ${threshold(rule, rule.crit)}`}`,
    `clear      at ${threshold(rule, rule.clear ?? rule.warn ?? rule.crit)} for ${formatDuration(rule.clearForMs)}`,
    `for        ${formatDuration(rule.forMs)}`,
    `thresholds ${rule.ref ?? 'no source given'}`,
  );
  for (const [key, meaning] of SOURCE_KEYS) {
    if (rule.ref?.includes(key)) out.push(`           ${key} ${meaning}`);
  }
  if (rule.drilldown) out.push(`evidence   top processes by ${rule.drilldown}`);
  if (rule.gap) out.push(`when absent: gap (${rule.gap})`);
  const overrides = set.overrides.filter((o) => o.rule === rule.id);
  for (const o of overrides) out.push(`override   ${o.instance}: ${describeOverride(set, o)} (${o.origin})`);
  if (rule.next.length > 0) out.push('', 'next:', ...rule.next.map((n) => `  ${n}`));
  return `${out.join('\n')}\n`;
}
