import { stringify } from 'yaml';
import type { InstanceKind, Unit } from '../../src/catalog/index.js';
import { alertName } from '../../src/checklist/export-prometheus.js';
import type { Rule } from '../../src/checklist/model.js';

/**
 * `promtool test rules` cases for the exported rule file, one per checklist rule, written from the
 * rules themselves so that every rule is covered: a finding pending, firing, escalated to critical and
 * back (for rules with both levels), then resolved (its series go stale). The expected annotations
 * are written here with Go's formatting, independently of the templates the export writes.
 */

/**
 * Go's `%.4g`: four significant digits, exponent form outside 1e-4 ≤ |v| < 1e4, trailing zeros cut.
 * An exact tie (12345) rounds up here and to even in Go: the cases' values are never ties.
 */
export function goG4(v: number): string {
  if (v === 0) return '0';
  const [mantissa, exp] = v.toExponential(3).split('e');
  const e = Number(exp);
  const trim = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (e < -4 || e >= 4) return `${trim(mantissa)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return trim(v.toFixed(Math.max(0, 3 - e)));
}

function scaled(v: number, base: number, prefixes: string[]): string {
  let prefix = '';
  for (const p of prefixes) {
    if (Math.abs(v) < base) break;
    prefix = p;
    v /= base;
  }
  return `${goG4(v)}${prefix}`;
}

/** Prometheus's `humanize`: SI prefixes (k, M, …) above 1, (m, u, …) below. */
function humanize(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1) return scaled(v, 1000, ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']);
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goG4(v)}${prefix}`;
}

/** Prometheus's `humanize1024`: binary prefixes (ki, Mi, …) above 1. */
function humanize1024(v: number): string {
  return Math.abs(v) <= 1 ? goG4(v) : scaled(v, 1024, ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']);
}

/** A value as the exported templates write it, in Go. */
export function goValue(v: number, unit: Unit): string {
  switch (unit) {
    case 'ratio':
      return `${goG4(v * 100)}%`;
    case 'bytes':
      return `${humanize1024(v)}B`;
    case 'bytes_per_s':
      return `${humanize1024(v)}B/s`;
    case 'bits_per_s':
      return `${humanize(v)}bit/s`;
    case 'per_s':
      return `${goG4(v)}/s`;
    case 'ms':
      return `${goG4(v)}ms`;
    case 'seconds':
      return `${goG4(v)}s`;
    case 'hours':
      return `${goG4(v)}h`;
    default:
      return goG4(v);
  }
}

const SAMPLE_INSTANCE: Record<InstanceKind, string> = {
  host: '',
  cpu: 'cpu1',
  disk: 'sda',
  nic: 'eth0',
  mount: '/var',
  cgroup: '/system.slice/nginx.service',
};

const CULPRIT = 'stress-ng-cpu(4242) cpu 98%';
const TARGET = { job: 'usewatch', instance: 'host-a:9100' };

/** A value past `level` in the rule's direction, halfway to the next level (or a step beyond). */
function past(rule: Rule, level: number, next: number | undefined): number {
  if (next !== undefined) return (level + next) / 2;
  if (rule.direction === 'below') return level / 2;
  return rule.unit === 'ratio' ? (level + 1) / 2 : level === 0 ? 1 : level * 2;
}

function seriesText(name: string, labels: Record<string, string>): string {
  const body = Object.entries(labels)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${name}{${body}}`;
}

/** One sample per minute; `stale` ends the series as a scrape without the finding does. */
function values(list: readonly (number | undefined)[]): string {
  return list.map((v) => (v === undefined ? 'stale' : String(v))).join(' ');
}

/** The step of each minute: pending, then firing at each level, then resolved. */
interface Step {
  active: 0 | 1;
  severity: 'warning' | 'critical';
  value: number;
}

function stepsOf(rule: Rule): Step[] {
  const warnValue = rule.warn === undefined ? undefined : past(rule, rule.warn, rule.crit);
  const critValue = rule.crit === undefined ? undefined : past(rule, rule.crit, undefined);
  const first = warnValue !== undefined ? 'warning' : 'critical';
  const firstValue = (warnValue ?? critValue)!;
  const steps: Step[] = [
    { active: 0, severity: first, value: firstValue },
    { active: 1, severity: first, value: firstValue },
  ];
  if (warnValue !== undefined && critValue !== undefined) {
    steps.push({ active: 1, severity: 'critical', value: critValue });
    steps.push({ active: 1, severity: 'warning', value: warnValue });
  }
  return steps;
}

function expectedAlerts(rule: Rule, step: Step, labels: Record<string, string>, instance: string) {
  if (step.active === 0) return [];
  const severities = [
    ...(rule.warn !== undefined ? ['warning'] : []),
    ...(rule.crit !== undefined && step.severity === 'critical' ? ['critical'] : []),
  ];
  const threshold = goValue((step.severity === 'critical' ? rule.crit : rule.warn)!, rule.unit);
  const fill = (text: string) =>
    text
      .replaceAll('{value}', goValue(step.value, rule.unit))
      .replaceAll('{threshold}', threshold)
      .replaceAll('{instance}', instance === '' ? 'host' : instance)
      .replaceAll('{detail}', '');
  const annotations: Record<string, string> = {
    summary: fill(rule.summary),
    description: rule.explain,
    threshold,
  };
  if (rule.drilldown !== undefined) annotations.culprit = CULPRIT;
  if (rule.next.length > 0) annotations.next = rule.next.map(fill).join('; ');
  annotations.runbook = `usewatch checklist explain ${rule.id}`;
  return severities.map((severity) => ({
    exp_labels: { ...labels, severity },
    exp_annotations: annotations,
  }));
}

function caseOf(rule: Rule) {
  const instance = SAMPLE_INSTANCE[rule.instanceKind];
  const identity = { ...TARGET, rule: rule.id, resource: rule.resource, dimension: rule.dimension };
  const labels = instance === '' ? identity : { ...identity, usewatch_instance: instance };
  const steps = stepsOf(rule);
  const series = (name: string, value: (s: Step) => number, extra: Record<string, string> = {}) => ({
    series: seriesText(name, { ...labels, ...extra }),
    values: values([...steps.map(value), undefined]),
  });
  const next = rule.next.map((n) => n.replaceAll('{instance}', instance)).join('; ');
  return {
    name: rule.id,
    interval: '1m',
    input_series: [
      series('usewatch_finding_active', (s) => s.active),
      series('usewatch_finding_severity', (s) => (s.severity === 'critical' ? 2 : 1)),
      series('usewatch_finding_value', (s) => s.value),
      series('usewatch_finding_threshold', (s) => (s.severity === 'critical' ? rule.crit! : rule.warn!)),
      series('usewatch_finding_info', () => 1, { culprit: rule.drilldown === undefined ? '' : CULPRIT, next }),
    ],
    alert_rule_test: [...steps, undefined].map((step, minute) => ({
      eval_time: `${minute}m`,
      alertname: alertName(rule.id),
      exp_alerts: step === undefined ? [] : expectedAlerts(rule, step, labels, instance),
    })),
  };
}

/** The recording rules: the worst measured status per host and cell, unknown cells counted apart. */
const recordingCase = {
  name: 'USE matrix per host',
  interval: '1m',
  input_series: [
    {
      series:
        'usewatch_use_status{job="usewatch",instance="host-a:9100",usewatch_instance="sda",resource="disk",dimension="saturation"}',
      values: '1',
    },
    {
      series:
        'usewatch_use_status{job="usewatch",instance="host-a:9100",usewatch_instance="sdb",resource="disk",dimension="saturation"}',
      values: '2',
    },
    {
      series:
        'usewatch_use_status{job="usewatch",instance="host-a:9100",usewatch_instance="sdc",resource="disk",dimension="saturation"}',
      values: '3',
    },
    {
      series:
        'usewatch_finding_active{job="usewatch",instance="host-a:9100",rule="disk.saturation.queue",resource="disk",dimension="saturation",usewatch_instance="sdb"}',
      values: '1',
    },
  ],
  promql_expr_test: [
    {
      expr: 'instance:usewatch_use_status:max',
      eval_time: '0m',
      exp_samples: [
        {
          labels:
            'instance:usewatch_use_status:max{job="usewatch",instance="host-a:9100",resource="disk",dimension="saturation"}',
          value: 2,
        },
      ],
    },
    {
      expr: 'instance:usewatch_use_unknown:count',
      eval_time: '0m',
      exp_samples: [
        {
          labels:
            'instance:usewatch_use_unknown:count{job="usewatch",instance="host-a:9100",resource="disk",dimension="saturation"}',
          value: 1,
        },
      ],
    },
    {
      expr: 'instance:usewatch_findings_firing:count',
      eval_time: '0m',
      exp_samples: [
        {
          labels:
            'instance:usewatch_findings_firing:count{job="usewatch",instance="host-a:9100",resource="disk",dimension="saturation"}',
          value: 1,
        },
      ],
    },
  ],
};

/** The promtool test file for a rule file at `ruleFile` (relative to the test file). */
export function promtoolTests(rules: readonly Rule[], ruleFile: string): string {
  const header = [
    '# promtool test rules cases for every default checklist rule, generated by test/checklist/promtool-cases.ts',
    '# (UPDATE_RULES=1 npx vitest run test/checklist/export-prometheus.test.ts). Run: promtool test rules <this file>',
  ];
  const doc = { rule_files: [ruleFile], evaluation_interval: '1m', tests: [...rules.map(caseOf), recordingCase] };
  return `${header.join('\n')}\n${stringify(doc, { lineWidth: 0 })}`;
}
