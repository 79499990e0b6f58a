import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, inspectChecklist, loadChecklist } from '../../src/checklist/load.js';
import { resolveThresholds } from '../../src/checklist/model.js';
import { parseChecklistSource } from '../../src/checklist/parse-file.js';

function problems(text: string): string[] {
  return parseChecklistSource(text, 'set.yaml').problems.map(formatProblem);
}

const good = `rules:
  - id: cpu.saturation.runqueue
    resource: cpu
    dimension: saturation
    metric: cpu.runqueue_per_cpu
    warn: 1
    crit: 2
    clear: 0.8
    for: 10s
    summary: "run queue {value} per CPU"
    explain: Runnable threads per CPU.
`;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'usewatch-checklist-'));
}

describe('checklist file problems carry file:line:col', () => {
  it('accepts a valid rule', () => {
    expect(problems(good)).toEqual([]);
  });

  it('a bad link speed does not hide problems further down the file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'site.yaml');
    await writeFile(file, 'link_speeds:\n  eth0: fast\noverrides:\n  - rule: no.such.rule\n    warn: 1\n');
    const { problems: found } = await inspectChecklist([file]);
    expect(found.map(formatProblem)).toEqual([
      `${file}:2:9: link_speeds.eth0: Invalid input: expected number, received string`,
      `${file}:4:11: override: unknown rule id "no.such.rule"`,
    ]);
  });

  it('unknown metric points at the metric value', () => {
    expect(problems(good.replace('cpu.runqueue_per_cpu', 'cpu.runq'))).toEqual([
      'set.yaml:5:13: rules[0].metric: unknown metric "cpu.runq" (not in the catalog)',
    ]);
  });

  it('unknown field points at the key', () => {
    expect(problems(good.replace('    for: 10s\n', '    for: 10s\n    window: 1m\n'))).toEqual([
      'set.yaml:10:5: rules[0].window: unknown field "window"',
    ]);
  });

  it('bad duration points at the value', () => {
    expect(problems(good.replace('for: 10s', 'for: 10 seconds'))).toEqual([
      'set.yaml:9:10: rules[0].for: bad duration: expected a number and a unit ms, s, m or h, e.g. "500ms", "10s", "2m", "1h"',
    ]);
    expect(problems(good.replace('for: 10s', 'for: 10'))[0]).toMatch(/^set\.yaml:9:10: rules\[0\]\.for: bad duration/);
  });

  it('warn and crit inverted for the direction', () => {
    expect(problems(good.replace('crit: 2', 'crit: 0.5').replace('clear: 0.8', 'clear: 0.4'))).toEqual([
      'set.yaml:7:11: rules[0].crit: crit 50% is below warn 100%: inverted for direction above',
    ]);
    const below = good.replace('    warn: 1\n', '    direction: below\n    warn: 1\n');
    expect(problems(below.replace('clear: 0.8', 'clear: 3'))).toEqual([
      'set.yaml:8:11: rules[0].crit: crit 200% is above warn 100%: inverted for direction below',
    ]);
  });

  it('clear on the firing side of warn', () => {
    expect(problems(good.replace('clear: 0.8', 'clear: 1.5'))).toEqual([
      'set.yaml:8:12: rules[0].clear: clear 150% is above the raise level 100%: a finding could never clear (direction above)',
    ]);
  });

  it('bad enum and missing fields', () => {
    expect(problems(good.replace('dimension: saturation', 'dimension: latency'))).toEqual([
      'set.yaml:4:16: rules[0].dimension: Invalid option: expected one of "utilization"|"saturation"|"errors"',
    ]);
    expect(problems(good.replace('    explain: Runnable threads per CPU.\n', ''))).toEqual([
      'set.yaml:2:5: rules[0].explain: missing (required)',
    ]);
  });

  it('duplicate id within a file names the first definition', async () => {
    const file = join(await tempDir(), 'twice.yaml');
    await writeFile(file, good + good.replace('rules:\n', ''));
    const { problems: found } = await inspectChecklist([file], { defaults: false });
    expect(found.map(formatProblem)).toEqual([
      `${file}:12:9: duplicate rule id "cpu.saturation.runqueue" (first defined at ${file}:2:9)`,
    ]);
  });

  it('reports every problem of a file, not just the first', () => {
    const bad = good
      .replace('cpu.runqueue_per_cpu', 'cpu.nope')
      .replace('for: 10s', 'for: soon')
      .replace('crit: 2', 'crit: 0.9')
      .replace('    summary:', '    colour: red\n    summary:');
    expect(problems(bad)).toEqual([
      'set.yaml:9:10: rules[0].for: bad duration: expected a number and a unit ms, s, m or h, e.g. "500ms", "10s", "2m", "1h"',
      'set.yaml:10:5: rules[0].colour: unknown field "colour"',
      'set.yaml:5:13: rules[0].metric: unknown metric "cpu.nope" (not in the catalog)',
      'set.yaml:7:11: rules[0].crit: crit 0.9 is below warn 1: inverted for direction above',
    ]);
  });

  it('YAML syntax errors and unknown top-level keys', () => {
    expect(problems('rules:\n  - id: a\n    id: b\n')[0]).toMatch(/^set\.yaml:3:5: DUPLICATE_KEY/);
    expect(problems(`${good}limits: 3\n`)).toEqual(['set.yaml:12:1: limits: unknown field "limits"']);
    expect(problems('')).toEqual(['set.yaml:1:1: empty file: expected rules:, overrides: or gaps:']);
  });

  it('accepts the short form: a bare list of rules', () => {
    const list = good.replace('rules:\n', '').replace(/^ {2}/gm, '');
    expect(problems(list)).toEqual([]);
    expect(problems(list.replace('metric: cpu.runqueue_per_cpu', 'metric: x'))).toEqual([
      'set.yaml:4:11: [0].metric: unknown metric "x" (not in the catalog)',
    ]);
  });
});

describe('sets of files', () => {
  it('a duplicate id across files points at the second and names the first', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.yaml'), good);
    await writeFile(join(dir, 'b.yaml'), `# mine\n${good}`);
    const { problems: found } = await inspectChecklist([dir], { defaults: false });
    expect(found.map(formatProblem)).toEqual([
      `${join(dir, 'b.yaml')}:3:9: duplicate rule id "cpu.saturation.runqueue" (first defined at ${join(dir, 'a.yaml')}:2:9)`,
    ]);
  });

  it('a duplicate id is reported even when the second rule is broken too', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.yaml'), good);
    await writeFile(join(dir, 'b.yaml'), good.replace('for: 10s', 'for: later'));
    const { problems: found } = await inspectChecklist([dir], { defaults: false });
    expect(found.map((p) => `${p.line}:${p.col} ${p.message.split(':')[0]}`)).toEqual([
      '9:10 rules[0].for',
      `2:9 duplicate rule id "cpu.saturation.runqueue" (first defined at ${join(dir, 'a.yaml')}`,
    ]);
  });

  it('an unreadable path is a problem, not a crash', async () => {
    const { problems: found } = await inspectChecklist(['/nonexistent/x.yaml'], { defaults: false });
    expect(found.map(formatProblem)).toEqual(['/nonexistent/x.yaml:1:1: cannot read: ENOENT']);
  });

  it('overrides change thresholds per instance without copying the rule', async () => {
    const dir = await tempDir();
    const rule = good
      .replace('cpu.saturation.runqueue', 'disk.saturation.await')
      .replace('resource: cpu', 'resource: disk')
      .replace('cpu.runqueue_per_cpu', 'disk.await_ms')
      .replace('warn: 1\n    crit: 2\n    clear: 0.8', 'warn: 20\n    crit: 100\n    clear: 15');
    await writeFile(join(dir, 'base.yaml'), rule);
    await writeFile(
      join(dir, 'site.yaml'),
      `overrides:
  - rule: disk.saturation.await
    instance: nvme*
    warn: 5
    crit: 50
    clear: 4
  - rule: disk.saturation.await
    instance: sdb
    disabled: true
`,
    );
    const set = await loadChecklist([dir], { defaults: false });
    const r = set.rules[0];
    expect(resolveThresholds(r, set.overrides, 'vda')).toEqual({
      warn: 20,
      crit: 100,
      clear: 15,
      forMs: 10_000,
      clearForMs: 10_000,
    });
    expect(resolveThresholds(r, set.overrides, 'nvme0n1')).toMatchObject({ warn: 5, crit: 50, clear: 4 });
    expect(resolveThresholds(r, set.overrides, 'sdb')).toBeUndefined();
  });

  it('an override of an unknown rule or with inverted thresholds is an error at its position', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'base.yaml'), good);
    await writeFile(
      join(dir, 'site.yaml'),
      `overrides:
  - rule: cpu.saturation.runq
    warn: 2
  - rule: cpu.saturation.runqueue
    instance: ""
    crit: 0.5
  - rule: cpu.saturation.runqueue
    for: forever
`,
    );
    const { problems: found } = await inspectChecklist([dir], { defaults: false });
    const site = join(dir, 'site.yaml');
    expect(found.map(formatProblem)).toEqual([
      `${site}:8:10: overrides[2].for: bad duration: expected a number and a unit ms, s, m or h, e.g. "500ms", "10s", "2m", "1h"`,
      `${site}:2:11: override: unknown rule id "cpu.saturation.runq"`,
      `${site}:6:11: override of "cpu.saturation.runqueue": crit 50% is below warn 100%: inverted for direction above`,
    ]);
  });

  it('link speeds from a user file reach the set', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'speeds.yaml'), 'link_speeds:\n  eth0: 1000000000\n');
    const set = await loadChecklist([dir], { defaults: false });
    expect(set.linkSpeedsBps).toEqual({ eth0: 1e9 });
  });
  it('analysis levels: a later file replaces the default one by one, and a level in the wrong unit is a problem at its position', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'site.yaml'), 'analysis:\n  iowait: 25%\n');
    const set = await loadChecklist([dir]);
    expect(set.analysis).toMatchObject({ iowait: 0.25, system_time: 0.2, runnable_per_cpu: 1 });
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'analysis:\n  system_time: 20ms\n  load_trend: 2\n');
    const { problems } = await inspectChecklist([bad], { defaults: false });
    // Both problems in one run: an unknown key does not hide a level in the wrong unit.
    expect(problems.map(formatProblem)).toEqual([
      `${bad}:3:3: analysis.load_trend: unknown field "load_trend"`,
      expect.stringMatching(new RegExp(`^${bad}:2:16: analysis\\.system_time: .*analysis\\.system_time accepts`)),
    ]);
    await writeFile(bad, 'analysis:\n  system_time: 20ms\n');
    const found = await inspectChecklist([bad], { defaults: false });
    expect(found.problems.map(formatProblem)).toEqual([
      expect.stringMatching(new RegExp(`^${bad}:2:16: analysis\\.system_time: .*analysis\\.system_time accepts`)),
    ]);
  });
});
