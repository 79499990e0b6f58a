import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QUERIES, VARIABLE_QUERIES } from '../../dashboards/queries.js';
import { useDashboardJson } from '../../dashboards/usewatch-use.js';

const SHIPPED = new URL('../../deploy/grafana/usewatch-use.json', import.meta.url);

interface Panel {
  id: number;
  type: string;
  title: string;
  repeat?: string;
  targets?: { expr: string; instant?: boolean }[];
}

describe('deploy/grafana/usewatch-use.json', () => {
  it('is what its builder writes (run `npm run dashboards` after changing dashboards/)', () => {
    expect(readFileSync(SHIPPED, 'utf8')).toBe(useDashboardJson());
  });

  const dashboard = JSON.parse(useDashboardJson()) as {
    uid: string;
    panels: Panel[];
    templating: { list: { name: string; query: string | { query: string } }[] };
  };

  it('every panel query comes from dashboards/queries.ts, and every query there is in a panel', () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.sort()).toEqual(
      Object.values(QUERIES)
        .map((q) => q.expr)
        .sort(),
    );
  });

  it('has the fleet matrix, the findings and a drill-down row repeated per host, with unique panel ids', () => {
    const titles = dashboard.panels.map((p) => `${p.type}: ${p.title}`);
    expect(titles).toEqual([
      'row: Fleet',
      'table: USE matrix: worst status per host and resource',
      'status-history: Worst status per host over time',
      'table: Findings being raised',
      'row: Host $host',
      'status-history: USE matrix over time: $host',
      'timeseries: Utilization',
      'timeseries: Saturation (each metric in its unit)',
      'timeseries: Errors (each metric in its unit)',
    ]);
    expect(dashboard.panels.find((p) => p.title === 'Host $host')?.repeat).toBe('host');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it('defines the variables its queries use', () => {
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v.query]));
    expect([...vars.keys()]).toEqual(['datasource', 'job', 'host']);
    expect(vars.get('host')).toBe(VARIABLE_QUERIES.host);
    expect(vars.get('job')).toBe(VARIABLE_QUERIES.job);
  });
});
