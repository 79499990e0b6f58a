import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { notBuiltReason, usewatch } from './agent-process.js';

/** `usewatch checklist export` as a user runs it: the built CLI, a site checklist, bad input. */
describe.skipIf(notBuiltReason !== undefined)('usewatch checklist export', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'usewatch-export-e2e-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a site rule gets its alerts, the file names its source, and the runbook link is filled in', async () => {
    const site = join(dir, 'site.yaml');
    await writeFile(
      site,
      `rules:
  - id: site.disk.await_nvme
    resource: disk
    dimension: saturation
    metric: disk.await_ms
    warn: 5ms
    crit: 50ms
    for: 30s
    summary: "{instance} NVMe latency {value} (threshold {threshold})"
    explain: NVMe latency past what the device should give.
    next: ["iostat -xz 1 {instance}"]
`,
    );
    const r = usewatch(
      'checklist',
      'export',
      '--format',
      'prometheus-rules',
      '--checklist',
      site,
      '--runbook-url',
      'https://wiki.example/{rule}',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain(`from the default checklist, ${site}.`);
    const groups = (parse(r.stdout) as { groups: { name: string; rules: Record<string, unknown>[] }[] }).groups;
    const mine = groups
      .flatMap((g) => g.rules)
      .filter((x) => (x.labels as { rule?: string })?.rule === 'site.disk.await_nvme');
    expect(mine.map((x) => [x.alert, (x.labels as { severity: string }).severity])).toEqual([
      ['UsewatchSiteDiskAwaitNvme', 'warning'],
      ['UsewatchSiteDiskAwaitNvme', 'critical'],
    ]);
    expect((mine[0].annotations as Record<string, string>).runbook_url).toBe(
      'https://wiki.example/site.disk.await_nvme',
    );
  });

  it('an unknown format and a bad checklist are refused with the reason', async () => {
    const format = usewatch('checklist', 'export', '--format', 'grafana');
    expect(format.code).not.toBe(0);
    expect(format.stderr).toMatch(
      /--format <format>' argument 'grafana' is invalid. Allowed choices are prometheus-rules/,
    );
    expect(usewatch('checklist', 'export').stderr).toMatch(/required option '--format <format>' not specified/);

    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'rules:\n  - id: x\n    metric: cpu.nope\n');
    const r = usewatch('checklist', 'export', '--format', 'prometheus-rules', '--checklist', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${bad}:3:13`);
  });
});
