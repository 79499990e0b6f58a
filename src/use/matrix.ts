import type { InstanceKind } from '../catalog/index.js';
import type { Gap, Rule } from '../checklist/model.js';
import { type CellStatus, DIMENSIONS, RESOURCES, type Resource, type UseCell } from '../model/frame.js';
import { instanceComparator } from './instance-order.js';

/** One rule's reading at one instance on this tick. */
export interface Measurement {
  rule: Rule;
  instance: string;
  status: 'ok' | 'warning' | 'critical';
  value: number;
}

const RANK: Record<CellStatus, number> = { critical: 4, warning: 3, ok: 2, unknown: 1, gap: 0 };
const DIMENSION_INDEX = new Map(DIMENSIONS.map((d, i) => [d, i]));

/** What a checklist's rules say about the matrix whatever the tick: built once per rule list. */
interface RuleIndex {
  /** Resources with host-wide rules: they always have an instance "" row. */
  hostResources: Resource[];
  /** Rules by resource, then instance kind, then dimension, in checklist order. */
  byKind: Map<Resource, Map<InstanceKind, Rule[][]>>;
}

const indexes = new WeakMap<readonly Rule[], RuleIndex>();

function ruleIndex(rules: readonly Rule[]): RuleIndex {
  let index = indexes.get(rules);
  if (index !== undefined) return index;
  const hostResources: Resource[] = [];
  const byKind = new Map<Resource, Map<InstanceKind, Rule[][]>>();
  for (const r of rules) {
    if (r.instanceKind === 'host' && !hostResources.includes(r.resource)) hostResources.push(r.resource);
    let kinds = byKind.get(r.resource);
    if (kinds === undefined) {
      kinds = new Map();
      byKind.set(r.resource, kinds);
    }
    let dims = kinds.get(r.instanceKind);
    if (dims === undefined) {
      dims = DIMENSIONS.map(() => []);
      kinds.set(r.instanceKind, dims);
    }
    dims[DIMENSION_INDEX.get(r.dimension)!].push(r);
  }
  index = { hostResources, byKind };
  indexes.set(rules, index);
  return index;
}

/** One (resource, instance) row of the matrix: the deciding measurement per dimension. */
interface Row {
  instance: string;
  /** The instance kind of the rules that measured it ("host" for the "" rows). */
  kind: InstanceKind;
  cells: (Measurement | undefined)[];
}

/**
 * Instance kinds whose rows appear only while one of their cells is warning or critical: a host has
 * hundreds of cgroups, and a row per cgroup and resource would bury the grid.
 */
export const ROWS_ONLY_WHEN_RAISED: ReadonlySet<InstanceKind> = new Set(['cgroup']);

function raised(row: Row): boolean {
  return row.cells.some((m) => m !== undefined && m.status !== 'ok');
}

/**
 * The USE matrix of one tick: for every (resource, instance) seen, the U, S and E cells. A cell
 * takes the worst status of its rules and shows that rule's value (the first rule in checklist
 * order when all are ok). A cell no rule could measure is a gap when the checklist gives a reason
 * (rule `gap:` or a `gaps:` entry), else unknown. Host-wide rules (instance "") always have a row;
 * a cgroup has rows only while one of its cells is warning or critical.
 * The rule indexes are built once per checklist, and rows are keyed by resource then instance, so
 * that a tick builds no key strings.
 */
export function buildMatrix(
  measurements: readonly Measurement[],
  rules: readonly Rule[],
  gaps: readonly Gap[],
  isEnabled: (rule: Rule, instance: string) => boolean,
): UseCell[] {
  const index = ruleIndex(rules);
  const rows = new Map<Resource, Map<string, Row>>();
  const rowOf = (resource: Resource, instance: string, kind: InstanceKind): Row => {
    let byInstance = rows.get(resource);
    if (byInstance === undefined) {
      byInstance = new Map();
      rows.set(resource, byInstance);
    }
    let row = byInstance.get(instance);
    if (row === undefined) {
      row = { instance, kind, cells: [undefined, undefined, undefined] };
      byInstance.set(instance, row);
    }
    return row;
  };
  for (let i = 0; i < index.hostResources.length; i++) rowOf(index.hostResources[i], '', 'host');
  for (let i = 0; i < measurements.length; i++) {
    const m = measurements[i];
    const cells = rowOf(m.rule.resource, m.instance, m.rule.instanceKind).cells;
    const d = DIMENSION_INDEX.get(m.rule.dimension)!;
    const held = cells[d];
    if (held === undefined || RANK[m.status] > RANK[held.status]) cells[d] = m;
  }

  const out: UseCell[] = [];
  for (const resource of RESOURCES) {
    const byInstance = rows.get(resource);
    if (byInstance === undefined) continue;
    const shown = [...byInstance.values()].filter((row) => !ROWS_ONLY_WHEN_RAISED.has(row.kind) || raised(row));
    const compare = instanceComparator(shown.map((row) => row.instance));
    const sorted = shown.sort((a, b) => compare(a.instance, b.instance));
    const kinds = index.byKind.get(resource);
    for (const { instance, kind, cells } of sorted) {
      for (let d = 0; d < DIMENSIONS.length; d++) {
        const dimension = DIMENSIONS[d];
        const m = cells[d];
        if (m !== undefined) {
          out.push({
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
        const candidates = kinds?.get(kind)?.[d] ?? [];
        const applicable = candidates.filter((r) => isEnabled(r, instance));
        const reason = applicable.find((r) => r.gap !== undefined)?.gap ?? gapReason(gaps, resource, dimension);
        if (reason !== undefined) {
          out.push({ resource, instance, dimension, status: 'gap', reason });
        } else if (applicable.length > 0) {
          const missing = applicable.map((r) => r.metric).join(', ');
          out.push({ resource, instance, dimension, status: 'unknown', reason: `no value for ${missing}` });
        }
      }
    }
  }
  return out;
}

function gapReason(gaps: readonly Gap[], resource: Resource, dimension: string): string | undefined {
  return gaps.find((g) => g.resource === resource && g.dimension === dimension)?.reason;
}
