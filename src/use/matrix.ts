import type { Gap, Rule } from '../checklist/model.js';
import { type CellStatus, DIMENSIONS, RESOURCES, type Resource, type UseCell } from '../model/frame.js';

/** One rule's reading at one instance on this tick. */
export interface Measurement {
  rule: Rule;
  instance: string;
  status: 'ok' | 'warning' | 'critical';
  value: number;
}

const RANK: Record<CellStatus, number> = { critical: 4, warning: 3, ok: 2, unknown: 1, gap: 0 };
const RESOURCE_ORDER = new Map(RESOURCES.map((r, i) => [r, i]));
const collator = new Intl.Collator('en', { numeric: true });

/**
 * The USE matrix of one tick: for every (resource, instance) seen, the U, S and E cells. A cell
 * takes the worst status of its rules and shows that rule's value (the first rule in checklist
 * order when all are ok). A cell no rule could measure is a gap when the checklist gives a reason
 * (rule `gap:` or a `gaps:` entry), else unknown. Host-wide rules (instance "") always have a row.
 */
export function buildMatrix(
  measurements: readonly Measurement[],
  rules: readonly Rule[],
  gaps: readonly Gap[],
  isEnabled: (rule: Rule, instance: string) => boolean,
): UseCell[] {
  const rows = new Map<string, { resource: Resource; instance: string }>();
  const addRow = (resource: Resource, instance: string) => {
    const key = `${resource}\0${instance}`;
    if (!rows.has(key)) rows.set(key, { resource, instance });
  };
  for (const r of rules) if (r.instanceKind === 'host') addRow(r.resource, '');
  const byCell = new Map<string, Measurement>();
  for (const m of measurements) {
    addRow(m.rule.resource, m.instance);
    const key = `${m.rule.resource}\0${m.instance}\0${m.rule.dimension}`;
    const held = byCell.get(key);
    if (held === undefined || RANK[m.status] > RANK[held.status]) byCell.set(key, m);
  }

  const byKind = new Map<string, Rule[]>();
  for (const r of rules) {
    const key = `${r.resource}\0${r.dimension}\0${r.instanceKind === 'host'}`;
    const list = byKind.get(key);
    if (list === undefined) byKind.set(key, [r]);
    else list.push(r);
  }

  const sorted = [...rows.values()].sort(
    (a, b) =>
      RESOURCE_ORDER.get(a.resource)! - RESOURCE_ORDER.get(b.resource)! || collator.compare(a.instance, b.instance),
  );
  const cells: UseCell[] = [];
  for (const { resource, instance } of sorted) {
    for (const dimension of DIMENSIONS) {
      const m = byCell.get(`${resource}\0${instance}\0${dimension}`);
      if (m !== undefined) {
        cells.push({
          resource,
          instance,
          dimension,
          status: m.status,
          metric: m.rule.metric,
          value: m.value,
          unit: m.rule.unit,
        });
        continue;
      }
      const candidates = byKind.get(`${resource}\0${dimension}\0${instance === ''}`) ?? [];
      const applicable = candidates.filter((r) => isEnabled(r, instance));
      const reason = applicable.find((r) => r.gap !== undefined)?.gap ?? gapReason(gaps, resource, dimension);
      if (reason !== undefined) {
        cells.push({ resource, instance, dimension, status: 'gap', reason });
      } else if (applicable.length > 0) {
        const missing = applicable.map((r) => r.metric).join(', ');
        cells.push({ resource, instance, dimension, status: 'unknown', reason: `no value for ${missing}` });
      }
    }
  }
  return cells;
}

function gapReason(gaps: readonly Gap[], resource: Resource, dimension: string): string | undefined {
  return gaps.find((g) => g.resource === resource && g.dimension === dimension)?.reason;
}
