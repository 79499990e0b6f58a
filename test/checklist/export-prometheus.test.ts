import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { alertName, prometheusRules } from '../../src/checklist/export-prometheus.js';
import { loadChecklist } from '../../src/checklist/load.js';
import type { Checklist, Rule } from '../../src/checklist/model.js';
import { goG4, goValue, promtoolTests } from './promtool-cases.js';

/**
 * The shipped rule file (deploy/prometheus/usewatch-rules.yaml) and its promtool cases
 * (deploy/prometheus/tests/usewatch-rules.test.yaml) are regenerated here from the default checklist
 * and compared, so neither drifts from the checklist; UPDATE_RULES=1 rewrites them. promtool then
 * checks the rules and runs the cases: every rule fires, escalates and resolves as documented.
 */
const RULES_FILE = 'deploy/prometheus/usewatch-rules.yaml';
const TESTS_FILE = 'deploy/prometheus/tests/usewatch-rules.test.yaml';
const promtoolMissing = spawnSync('promtool', ['--version']).error !== undefined;
if (promtoolMissing) console.log('skipped: promtool is not installed (apt-get install -y prometheus)');

let set: Checklist;
let shipped: string;

beforeAll(async () => {
  set = await loadChecklist();
  shipped = prometheusRules(set.rules, { source: 'the default checklist' });
  if (process.env.UPDATE_RULES === '1') {
    writeFileSync(RULES_FILE, shipped);
    writeFileSync(TESTS_FILE, promtoolTests(set.rules, '../usewatch-rules.yaml'));
  }
});

interface AlertingRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function groupsOf(text: string): { name: string; rules: AlertingRule[] }[] {
  return (parse(text) as { groups: { name: string; rules: AlertingRule[] }[] }).groups;
}

describe('the shipped Prometheus rules', () => {
  test('are the export of the default checklist (regenerate with UPDATE_RULES=1)', () => {
    expect(readFileSync(RULES_FILE, 'utf8')).toBe(shipped);
    expect(readFileSync(TESTS_FILE, 'utf8')).toBe(promtoolTests(set.rules, '../usewatch-rules.yaml'));
  });

  test('an alert per rule and level, with for 0s: the agent alone sustains and clears a breach', () => {
    const alerts = groupsOf(shipped).flatMap((g) => g.rules.filter((r) => r.alert !== undefined));
    for (const rule of set.rules) {
      const mine = alerts.filter((a) => a.labels?.rule === rule.id);
      const levels = [rule.warn !== undefined && 'warning', rule.crit !== undefined && 'critical'].filter(Boolean);
      expect(
        mine.map((a) => a.labels?.severity),
        rule.id,
      ).toEqual(levels);
      for (const a of mine) {
        expect(a.for).toBe('0s');
        expect(a.alert).toBe(alertName(rule.id));
        expect(a.labels).toMatchObject({ resource: rule.resource, dimension: rule.dimension });
        // Severity is never read from a label of the series: the finding keeps one identity.
        expect(a.expr).not.toMatch(/severity=/);
      }
    }
  });

  test.skipIf(promtoolMissing)('promtool check rules: clean', () => {
    const r = spawnSync('promtool', ['check', 'rules', RULES_FILE], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  test.skipIf(promtoolMissing)(
    'promtool test rules: every default rule fires, escalates, de-escalates and resolves',
    () => {
      const cases = parse(readFileSync(TESTS_FILE, 'utf8')) as { tests: { name: string }[] };
      expect(cases.tests.map((t) => t.name)).toEqual([...set.rules.map((r) => r.id), 'USE matrix per host']);
      const r = spawnSync('promtool', ['test', 'rules', TESTS_FILE], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/SUCCESS/);
    },
  );
});

describe('prometheusRules', () => {
  const rule = (over: Partial<Rule>): Rule => ({
    ...set.rules.find((r) => r.id === 'disk.saturation.queue')!,
    ...over,
  });

  test('alert names from rule ids', () => {
    expect(alertName('cpu.saturation.runqueue')).toBe('UsewatchCpuSaturationRunqueue');
    expect(alertName('memory.saturation.psi_full')).toBe('UsewatchMemorySaturationPsiFull');
  });

  test('checklist text cannot start a template action; placeholders become template actions', () => {
    const text = prometheusRules(
      [rule({ summary: '{{ evil }} {instance} at {value}', next: ['iostat -x {instance}'] })],
      {
        source: 'x',
      },
    );
    const [a] = groupsOf(text)[0].rules;
    expect(a.annotations?.summary).toBe(
      '{{ "{{" }} evil }} {{ if $labels.usewatch_instance }}{{ $labels.usewatch_instance }}{{ else }}host{{ end }} at {{ $value | printf "%.4g" }}',
    );
    expect(a.annotations?.next).toBe(
      'iostat -x {{ if $labels.usewatch_instance }}{{ $labels.usewatch_instance }}{{ else }}host{{ end }}',
    );
  });

  test('a runbook link per rule only when asked for, and the source in the header', () => {
    const text = prometheusRules([rule({})], { source: 'my.yaml', runbookUrl: 'https://wiki.example/usewatch/{rule}' });
    expect(text.split('\n')[0]).toContain('from my.yaml.');
    expect(groupsOf(text)[0].rules[0].annotations?.runbook_url).toBe(
      'https://wiki.example/usewatch/disk.saturation.queue',
    );
    expect(groupsOf(shipped)[0].rules[0].annotations).not.toHaveProperty('runbook_url');
  });
});

describe('the expected texts of the promtool cases, in Go formatting', () => {
  test('%.4g and the humanize functions', () => {
    expect(goG4(0.5)).toBe('0.5');
    expect(goG4(12346)).toBe('1.235e+04');
    expect(goG4(0.00001)).toBe('1e-05');
    expect(goG4(75)).toBe('75');
    expect(goValue(0.005, 'ratio')).toBe('0.5%');
    expect(goValue(1048576, 'bytes_per_s')).toBe('1MiB/s');
    expect(goValue(1e9, 'bits_per_s')).toBe('1Gbit/s');
  });
});
