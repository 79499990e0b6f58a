import { describe, expect, it } from 'vitest';
import { syntheticFleetResponses } from '../../bench/fleet-responses.js';
import { buildFleet, decodeRow, filterHosts, sortHosts, type VectorSample } from '../../src/fleet/model.js';

function s(metric: Record<string, string>, value: number): VectorSample {
  return { metric, value: [1, String(value)] };
}

const A = { job: 'usewatch', instance: 'a:9733' };
const B = { job: 'usewatch', instance: 'b:9733' };
/** A row as the cells query answers: the rank digits of errors, saturation, utilization. */
const row = (t: object, resource: string, value: number) => s({ ...t, resource }, value);

describe('buildFleet', () => {
  it("decodes each resource's row of rank digits, unknown ranked between ok and warning", () => {
    expect(decodeRow(531)).toEqual({ utilization: 'ok', saturation: 'warning', errors: 'critical' });
    expect(decodeRow(20)).toEqual({ saturation: 'unknown' });
    expect(decodeRow(0)).toEqual({});
    expect(decodeRow(1.5)).toEqual({});
    expect(decodeRow(1000)).toEqual({});
    const fleet = buildFleet({
      cells: [row(A, 'disk', 51), row(A, 'network', 311), row(A, 'cpu', 12), row(B, 'cpu', 2), row(B, 'memory', 1)],
      findings: [],
      up: [s({ __name__: 'up', ...A }, 1)],
    });
    const [a, b] = fleet.hosts;
    expect(a.cells).toEqual({
      disk: { utilization: 'ok', saturation: 'critical' },
      network: { utilization: 'ok', saturation: 'ok', errors: 'warning' },
      cpu: { utilization: 'unknown', saturation: 'ok' },
    });
    expect(a.worst).toBe('critical');
    expect(a.up).toBe(true);
    expect(b.worst).toBe('unknown');
    expect(fleet.resources).toEqual(['cpu', 'memory', 'disk', 'network']);
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
      cells: [],
      findings: [
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
      cells: [row(A, 'cpu', 50), row(B, 'kernel', 500), row(B, 'cpu', 7)],
      findings: [],
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
