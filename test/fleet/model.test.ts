import { describe, expect, it } from 'vitest';
import { syntheticFleetResponses } from '../../bench/fleet-responses.js';
import { buildFleet, filterHosts, sortHosts, type VectorSample } from '../../src/fleet/model.js';

function s(metric: Record<string, string>, value: number): VectorSample {
  return { metric, value: [1, String(value)] };
}

const A = { job: 'usewatch', instance: 'a:9733' };
const B = { job: 'usewatch', instance: 'b:9733' };
const cell = (t: object, resource: string, dimension: string, value: number, exported_instance?: string) =>
  s(
    { __name__: 'usewatch_use_status', ...t, resource, dimension, ...(exported_instance && { exported_instance }) },
    value,
  );

describe('buildFleet', () => {
  it('keeps the worst status per resource and dimension over instances, critical over warning over unknown', () => {
    const fleet = buildFleet({
      series: [
        cell(A, 'disk', 'saturation', 1, 'vda'),
        cell(A, 'disk', 'saturation', 2, 'vdb'),
        cell(A, 'disk', 'saturation', 0),
        cell(A, 'network', 'errors', 3, 'eth0'),
        cell(A, 'network', 'errors', 0, 'eth1'),
        cell(A, 'network', 'errors', 1, 'eth2'),
        cell(A, 'cpu', 'utilization', 3),
        cell(A, 'cpu', 'utilization', 0),
      ],
      up: [s({ __name__: 'up', ...A }, 1)],
    });
    const [host] = fleet.hosts;
    expect(host.cells).toEqual({
      disk: { saturation: 'critical' },
      network: { errors: 'warning' },
      cpu: { utilization: 'unknown' },
    });
    expect(host.worst).toBe('critical');
    expect(host.up).toBe(true);
    expect(fleet.resources).toEqual(['cpu', 'disk', 'network']);
  });

  it('joins the finding series on their identity: firing or pending, severity, culprit', () => {
    const id = { ...A, rule: 'cpu.saturation.runqueue', resource: 'cpu', dimension: 'saturation' };
    const disk = {
      ...A,
      rule: 'disk.saturation.await',
      resource: 'disk',
      dimension: 'saturation',
      usewatch_instance: 'vda',
    };
    const fleet = buildFleet({
      series: [
        s({ __name__: 'usewatch_finding_active', ...disk }, 0),
        s({ __name__: 'usewatch_finding_severity', ...disk }, 1),
        s({ __name__: 'usewatch_finding_active', ...id }, 1),
        s({ __name__: 'usewatch_finding_severity', ...id }, 2),
        s({ __name__: 'usewatch_finding_info', ...id, culprit: 'stress-ng-cpu(42) cpu 98%', next: 'vmstat 1' }, 1),
        // An info series left without its active series (between two scrapes) is no finding.
        s({ __name__: 'usewatch_finding_info', ...A, rule: 'memory.saturation.swap', culprit: '' }, 1),
      ],
      up: [],
    });
    expect(fleet.hosts[0].findings).toEqual([
      {
        rule: 'cpu.saturation.runqueue',
        resource: 'cpu',
        dimension: 'saturation',
        instance: '',
        firing: true,
        severity: 'critical',
        culprit: 'stress-ng-cpu(42) cpu 98%',
      },
      {
        rule: 'disk.saturation.await',
        resource: 'disk',
        dimension: 'saturation',
        instance: 'vda',
        firing: false,
        severity: 'warning',
        culprit: '',
      },
    ]);
    expect(fleet.hosts[0].firing).toBe(1);
  });

  it('marks a host down from up, and ignores up of jobs without usewatch series and unknown resources', () => {
    const fleet = buildFleet({
      series: [cell(A, 'cpu', 'saturation', 2), cell(B, 'kernel', 'errors', 2), cell(B, 'cpu', 'errors', 9)],
      up: [
        s({ __name__: 'up', ...A }, 0),
        s({ __name__: 'up', ...B, region: 'eu' }, 1),
        s({ __name__: 'up', job: 'node', instance: 'a:9100' }, 1),
      ],
    });
    expect(fleet.hosts.map((h) => [h.name, h.worst, h.up])).toEqual([
      ['a:9733', 'down', false],
      ['b:9733', 'ok', true],
    ]);
    expect(fleet.hosts[1].cells).toEqual({});
    expect(fleet.hosts[1].labels).toEqual({ ...B, region: 'eu' });
  });
});

describe('sortHosts and filterHosts', () => {
  it('puts down hosts first, then critical, warning, unknown, ok; then the most firing findings; then by name', () => {
    const fleet = buildFleet(syntheticFleetResponses(100));
    const sorted = sortHosts(fleet.hosts);
    const ranks = sorted.map((h) => ['down', 'critical', 'warning', 'unknown', 'ok'].indexOf(h.worst));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(sorted[0].worst).toBe('down');
    expect(sorted[2]).toMatchObject({ worst: 'critical', firing: 1 });
    expect(sorted.at(-1)?.worst).toBe('ok');
    const names = sorted.filter((h) => h.worst === 'ok').map((h) => h.name);
    expect(names).toEqual([...names].sort());
  });

  it('filters by host, job or rule, case-insensitively', () => {
    const hosts = buildFleet(syntheticFleetResponses(20)).hosts;
    expect(filterHosts(hosts, 'HOST-0003').map((h) => h.name)).toEqual(['host-0003.example.com:9733']);
    expect(filterHosts(hosts, 'runqueue').map((h) => h.name)).toEqual([
      'host-0000.example.com:9733',
      'host-0007.example.com:9733',
      'host-0014.example.com:9733',
    ]);
    expect(filterHosts(hosts, '')).toHaveLength(20);
  });
});
