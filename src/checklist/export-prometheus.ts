import { stringify } from 'yaml';
import type { Unit } from '../catalog/index.js';
import type { Rule } from './model.js';

/**
 * A Prometheus rule file from checklist rules: alerting rules over the agent's finding series
 * (`usewatch_finding_*`, src/outputs/prometheus/usewatch.ts) and recording rules for the USE matrix
 * per host. Pure: rules in, YAML text out (docs/fleet.md).
 *
 * The agent already sustains a breach for the rule's `for` before a finding fires, and holds it for
 * `clear_for` before it resolves; the alerts fire and resolve with the series (`for: 0s`), so
 * Prometheus adds at most one evaluation interval and never a second hysteresis.
 */

export interface PrometheusRulesOptions {
  /** What the rules were generated from, for the header comment ("the default checklist", file names). */
  source: string;
  /** A runbook link per rule: `{rule}` stands for the rule id. Without it, no `runbook_url` annotation. */
  runbookUrl?: string;
}

/** One alerting rule of the file, as Prometheus reads it. */
interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The label the agent puts a finding's instance under (src/outputs/prometheus/usewatch.ts, docs/agent.md). */
const INSTANCE_LABEL = 'usewatch_instance';
/** The labels that pick one finding of one agent: the target's job and instance, the rule, its instance. */
const FINDING_KEY = ['job', 'instance', 'rule', INSTANCE_LABEL] as const;

/** How a template writes a value of each unit: a Prometheus template function, then a literal suffix. */
const VALUE_FORMAT: Readonly<Record<Unit, { fn: string; suffix: string }>> = {
  ratio: { fn: 'humanizePercentage', suffix: '' },
  count: { fn: 'printf "%.4g"', suffix: '' },
  per_s: { fn: 'printf "%.4g"', suffix: '/s' },
  bytes: { fn: 'humanize1024', suffix: 'B' },
  bytes_per_s: { fn: 'humanize1024', suffix: 'B/s' },
  bits_per_s: { fn: 'humanize', suffix: 'bit/s' },
  ms: { fn: 'printf "%.4g"', suffix: 'ms' },
  seconds: { fn: 'printf "%.4g"', suffix: 's' },
  hours: { fn: 'printf "%.4g"', suffix: 'h' },
  threads: { fn: 'printf "%.4g"', suffix: '' },
  cpus: { fn: 'printf "%.4g"', suffix: '' },
};

/** Alert name of a rule: `cpu.saturation.runqueue` → `UsewatchCpuSaturationRunqueue`. */
export function alertName(ruleId: string): string {
  const words = ruleId.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  return `Usewatch${words.map((w) => w[0].toUpperCase() + w.slice(1)).join('')}`;
}

/** Text from a checklist written where Go templates expand: a literal `{{` must not start an action. */
function literal(text: string): string {
  return text.replaceAll('{{', '{{ "{{" }}');
}

/** A template pipeline that writes a value in the unit the rule's metric is in. */
function valueTemplate(pipeline: string, unit: Unit): string {
  const { fn, suffix } = VALUE_FORMAT[unit];
  return `{{ ${pipeline} | ${fn} }}${suffix}`;
}

/** A template that reads one series of the alert's finding and writes what `then` makes of its first sample. */
function findingQuery(metric: string, then: string): string {
  const selector = FINDING_KEY.map((l) => `${l}=%q`).join(',');
  const args = FINDING_KEY.map((l) => `$labels.${l}`).join(' ');
  return `{{ with printf "${metric}{${selector}}" ${args} | query }}${then}{{ end }}`;
}

const INSTANCE_TEMPLATE = `{{ if $labels.${INSTANCE_LABEL} }}{{ $labels.${INSTANCE_LABEL} }}{{ else }}host{{ end }}`;

/** The checklist's text with its placeholders as template actions; `{detail}` is the agent's own and stays empty. */
function withPlaceholders(text: string, rule: Rule): string {
  const threshold = findingQuery('usewatch_finding_threshold', valueTemplate('. | first | value', rule.unit));
  return literal(text)
    .replaceAll('{value}', valueTemplate('$value', rule.unit))
    .replaceAll('{threshold}', threshold)
    .replaceAll('{instance}', INSTANCE_TEMPLATE)
    .replaceAll('{detail}', '');
}

function annotations(rule: Rule, opts: PrometheusRulesOptions): Record<string, string> {
  const out: Record<string, string> = {
    summary: withPlaceholders(rule.summary, rule),
    description: literal(rule.explain),
    threshold: withPlaceholders('{threshold}', rule),
  };
  if (rule.drilldown !== undefined) {
    out.culprit = findingQuery('usewatch_finding_info', '{{ . | first | label "culprit" }}');
  }
  if (rule.next.length > 0) out.next = rule.next.map((n) => withPlaceholders(n, rule)).join('; ');
  out.runbook = `usewatch checklist explain ${rule.id}`;
  if (opts.runbookUrl !== undefined) out.runbook_url = opts.runbookUrl.replaceAll('{rule}', rule.id);
  return out;
}

/** `usewatch_finding_value` of the rule's firing findings, at the given severity or above. */
function alertExpr(rule: Rule, criticalOnly: boolean): string {
  const of = (metric: string) => `${metric}{rule=${JSON.stringify(rule.id)}}`;
  const firing = `${of('usewatch_finding_value')} and ${of('usewatch_finding_active')} == 1`;
  return criticalOnly ? `${firing} and ${of('usewatch_finding_severity')} == 2` : firing;
}

/**
 * The alerts of one rule: `warning` for the whole episode of a finding (from firing to resolved,
 * through escalations), `critical` while it is critical. Each keeps one identity from firing to
 * resolved, whatever the finding's severity does. A rule with only `crit` has only the critical
 * alert; one with only `warn`, only the warning alert.
 */
function alertsOf(rule: Rule, opts: PrometheusRulesOptions): AlertingRule[] {
  const severities = [
    ...(rule.warn !== undefined ? (['warning'] as const) : []),
    ...(rule.crit !== undefined ? (['critical'] as const) : []),
  ];
  return severities.map((severity) => ({
    alert: alertName(rule.id),
    expr: alertExpr(rule, severity === 'critical'),
    for: '0s',
    labels: { severity, rule: rule.id, resource: rule.resource, dimension: rule.dimension },
    annotations: annotations(rule, opts),
  }));
}

/**
 * The USE matrix per host: the worst measured status of each (resource, dimension) over the host's
 * instances (unknown, 3, left out), and the findings firing per cell. `instance` and `job` are the
 * scraped target's: the exposed cell instance arrives as `exported_instance` and is aggregated away.
 */
export const USE_RECORDING_RULES: readonly { record: string; expr: string }[] = [
  {
    record: 'instance:usewatch_use_status:max',
    expr: 'max by (job, instance, resource, dimension) (usewatch_use_status < 3)',
  },
  {
    record: 'instance:usewatch_use_unknown:count',
    expr: 'count by (job, instance, resource, dimension) (usewatch_use_status == 3)',
  },
  {
    record: 'instance:usewatch_findings_firing:count',
    expr: 'count by (job, instance, resource, dimension) (usewatch_finding_active == 1)',
  },
];

/** The rule file as YAML: one group of alerts per resource, in checklist order, then the recording rules. */
export function prometheusRules(rules: readonly Rule[], opts: PrometheusRulesOptions): string {
  const byResource = new Map<string, AlertingRule[]>();
  for (const rule of rules) {
    const group = byResource.get(rule.resource) ?? [];
    group.push(...alertsOf(rule, opts));
    byResource.set(rule.resource, group);
  }
  const groups = [
    ...[...byResource].map(([resource, alerts]) => ({ name: `usewatch-${resource}`, rules: alerts })),
    { name: 'usewatch-use-matrix', rules: USE_RECORDING_RULES },
  ];
  const header = [
    `# Prometheus rules generated by \`usewatch checklist export --format prometheus-rules\` from ${opts.source}.`,
    "# Regenerate rather than edit. The alerts read the agent's finding series; see docs/fleet.md.",
  ];
  return `${header.join('\n')}\n${stringify({ groups }, { lineWidth: 0 })}`;
}
