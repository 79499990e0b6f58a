import { catalog } from './index.js';
import type { MetricDef } from './types.js';

const INSTANCE_TEXT: Record<MetricDef['instance'], string> = {
  host: 'host ("")',
  cpu: 'CPU (cpuN)',
  disk: 'disk device',
  nic: 'network interface',
  mount: 'mount point',
  cgroup: 'cgroup path ("/system.slice/nginx.service")',
};

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** docs/metrics.md, generated from the catalog so that the documentation cannot drift from the code. */
export function renderMetricsDoc(): string {
  const out: string[] = [
    '# Metric catalog',
    '',
    '<!-- Generated from src/catalog/*.ts by `npm run docs:metrics`; a test fails when this file is stale. -->',
    '',
    'Every value usewatch derives has a stable dotted name. Checklist rules, the USE matrix, the feed and',
    'the recorder refer only to these names. Ratios are shares 0–1 (views show percent) unless marked',
    '"may pass 1" (a load against a capacity); Δ is the increase of a',
    'cumulative counter between two samples and Δt the measured interval in seconds. The first sample after',
    'start (or after a counter reset) yields no rates.',
    '',
  ];
  const byResource = new Map<string, MetricDef[]>();
  for (const m of catalog) {
    const list = byResource.get(m.resource) ?? [];
    list.push(m);
    byResource.set(m.resource, list);
  }
  for (const [resource, metrics] of byResource) {
    out.push(
      `## ${resource}`,
      '',
      '| name | unit | instance | description | source | formula |',
      '|---|---|---|---|---|---|',
    );
    for (const m of metrics) {
      out.push(
        `| \`${m.name}\` | ${m.unit === 'ratio' ? (m.canExceedOne ? 'ratio (may pass 1)' : 'ratio (0–1)') : m.unit} | ${INSTANCE_TEXT[m.instance]} | ${cell(m.description)} | ${cell(m.source)} | ${cell(m.formula)} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
