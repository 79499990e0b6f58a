import type { FleetResponses, VectorSample } from '../src/fleet/model.js';

const TS = 1_764_900_000;
const DIMENSIONS = ['utilization', 'saturation', 'errors'];
/** The rank digits of the cells query (src/fleet/query.ts). */
const OK = 1;
const CRITICAL = 5;

function sample(metric: Record<string, string>, value: number): VectorSample {
  return { metric, value: [TS, String(value)] };
}

/** The cells a 2-CPU host with one disk, two interfaces and two mounts exports: 24 series. */
const CELLS: [resource: string, instance: string, dimension: string][] = [
  ['cpu', '', 'utilization'],
  ['cpu', '', 'saturation'],
  ['memory', '', 'utilization'],
  ['memory', '', 'saturation'],
  ['memory', '', 'errors'],
  ['disk', '', 'saturation'],
  ['disk', 'vda', 'utilization'],
  ['disk', 'vda', 'saturation'],
  ['disk', 'vda', 'errors'],
  ['network', '', 'saturation'],
  ['network', 'eth0', 'utilization'],
  ['network', 'eth0', 'saturation'],
  ['network', 'eth0', 'errors'],
  ['network', 'eth1', 'saturation'],
  ['network', 'eth1', 'errors'],
  ['filesystem', '/', 'utilization'],
  ['filesystem', '/', 'errors'],
  ['filesystem', '/var', 'utilization'],
  ['filesystem', '/var', 'errors'],
  ['fd', '', 'utilization'],
  ['tasks', '', 'utilization'],
  ['tcp', '', 'saturation'],
  ['tcp', '', 'errors'],
  ['conntrack', '', 'utilization'],
];

/**
 * Prometheus' answers for `hosts` usewatch targets, as `PrometheusClient.readFleet` returns them
 * (the cells as a row of rank digits per resource, as its query gives them): every 7th host has a firing
 * critical CPU finding, every 5th a pending disk warning, every 50th is down.
 */
export function syntheticFleetResponses(hosts: number): FleetResponses {
  const cells: VectorSample[] = [];
  const series: VectorSample[] = [];
  const up: VectorSample[] = [];
  for (let i = 0; i < hosts; i++) {
    const target = { job: 'usewatch', instance: `host-${String(i).padStart(4, '0')}.example.com:9733` };
    up.push(sample({ __name__: 'up', ...target }, i % 50 === 49 ? 0 : 1));
    if (i % 50 === 49) continue;
    const hot = i % 7 === 0;
    // As the cells query answers: per resource, the worst rank of each dimension as a digit.
    const rows = new Map<string, number[]>();
    for (const [resource, , dimension] of CELLS) {
      const rank = hot && resource === 'cpu' && dimension === 'saturation' ? CRITICAL : OK;
      const digits = rows.get(resource) ?? [0, 0, 0];
      const d = DIMENSIONS.indexOf(dimension);
      digits[d] = Math.max(digits[d], rank);
      rows.set(resource, digits);
    }
    for (const [resource, [u, s, e]] of rows) cells.push(sample({ ...target, resource }, u + 10 * s + 100 * e));
    const findings: [
      rule: string,
      resource: string,
      dimension: string,
      instance: string,
      active: number,
      sev: number,
    ][] = [];
    if (hot) findings.push(['cpu.saturation.runqueue', 'cpu', 'saturation', '', 1, 2]);
    if (i % 5 === 0) findings.push(['disk.saturation.await', 'disk', 'saturation', 'vda', 0, 1]);
    for (const [rule, resource, dimension, instance, active, sev] of findings) {
      const id = { ...target, rule, resource, dimension, ...(instance && { usewatch_instance: instance }) };
      series.push(sample({ __name__: 'usewatch_finding_active', ...id }, active));
      series.push(sample({ __name__: 'usewatch_finding_severity', ...id }, sev));
      const culprit = active ? 'stress-ng-cpu(4242) run delay 0.96 threads waiting' : '';
      series.push(sample({ __name__: 'usewatch_finding_info', ...id, culprit, next: 'vmstat 1; mpstat -P ALL 1' }, 1));
    }
  }
  return { cells, findings: series, up };
}
