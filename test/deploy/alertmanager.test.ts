import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

/** The shipped example route (deploy/alertmanager/alertmanager.yml) as Alertmanager's own tool reads it. */
const CONFIG = 'deploy/alertmanager/alertmanager.yml';
const amtoolMissing = spawnSync('amtool', ['--version']).error !== undefined;
if (amtoolMissing) console.log('skipped: amtool is not installed (apt-get install -y prometheus-alertmanager)');

function amtool(...args: string[]) {
  return spawnSync('amtool', args, { encoding: 'utf8', timeout: 30_000 });
}

describe.skipIf(amtoolMissing)('the example Alertmanager configuration', () => {
  test('amtool check-config: clean', () => {
    const r = amtool('check-config', CONFIG);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });

  test('critical alerts page through PagerDuty, warnings go to the non-paging receiver', () => {
    const route = (severity: string) =>
      amtool(
        'config',
        'routes',
        'test',
        `--config.file=${CONFIG}`,
        `severity=${severity}`,
        'resource=cpu',
        'instance=a:9100',
      ).stdout.trim();
    expect(route('critical')).toBe('pagerduty');
    expect(route('warning')).toBe('usewatch-warnings');
  });

  test('grouped by host and resource, for every route: the correlated findings of one incident are one notification', () => {
    const config = parse(readFileSync(CONFIG, 'utf8')) as {
      route: { group_by: string[]; routes: { group_by?: string[] }[] };
    };
    expect(config.route.group_by).toEqual(['instance', 'resource']);
    // Child routes inherit the grouping unless they set their own.
    for (const child of config.route.routes) expect(child.group_by).toBeUndefined();
  });
});
