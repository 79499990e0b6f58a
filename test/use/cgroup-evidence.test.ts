import { describe, expect, it } from 'vitest';
import type { CgroupEntry } from '../../src/model/cgroup.js';
import type { Finding } from '../../src/model/frame.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { judgeWindow } from '../../src/use/window.js';
import { checklist, cpuUtilizationRule, proc, rule } from './helpers.js';

const WEB = '/system.slice/web.service';
const DOCKER = `/system.slice/docker-${'3f2a'.repeat(16)}.scope`;
const DB = '/system.slice/db.service';
const IDLE = '/system.slice/idle.service';

const cgroups: CgroupEntry[] = [
  { id: WEB, name: 'web.service', kind: 'service' },
  { id: DOCKER, name: 'shop-api', kind: 'container', runtime: 'docker' },
  { id: DB, name: 'db.service', kind: 'service' },
  { id: IDLE, name: 'idle.service', kind: 'service' },
];

const processes = [
  proc(10, 'nginx', { cgroup: WEB, cpu: 0.2, rssBytes: 300 }),
  proc(11, 'nginx', { cgroup: WEB, cpu: 0.6, rssBytes: 100 }),
  proc(20, 'api', { cgroup: DOCKER, cpu: 0.9, rssBytes: 900 }),
  proc(30, 'postgres', { cgroup: DB, cpu: 0.1, rssBytes: 5000 }),
  proc(40, 'stress', { cpu: 1.5 }),
];

const throttled = rule({
  id: 'cgroup.cpu.saturation.throttled',
  metric: 'cgroup.cpu.throttled',
  dimension: 'saturation',
  warn: 0.25,
  drilldown: 'cpu',
  summary: '{instance} throttled in {value} of periods (threshold {threshold})',
  next: ['systemd-cgtop {instance}'],
});

describe('a cgroup finding', () => {
  const ev = () => new UseEvaluator({ checklist: checklist([throttled]) });
  const input = { metrics: { 'cgroup.cpu.throttled': { [WEB]: 0.5, [DB]: 0 } }, processes, cgroups, ts: 0 };

  it("ranks the cgroup's own processes by the rule's drilldown as its evidence", () => {
    const [f] = ev().evaluate(input).findings;
    expect(f.evidence.processes.map((p) => p.pid)).toEqual([11, 10]);
    expect(f.evidence.culprits?.processes.map((p) => p.pid)).toEqual([11, 10]);
    expect(f.evidence.cgroups).toBeUndefined();
  });

  it('names the cgroup in its summary and events, keeping the path as its instance and in the commands', () => {
    const { findings, events } = ev().evaluate(input);
    expect(findings[0]).toMatchObject({
      instance: WEB,
      id: `cgroup.cpu.saturation.throttled@${WEB}`,
      summary: 'web.service throttled in 50% of periods (threshold 25%)',
      next: [`systemd-cgtop ${WEB}`],
    });
    expect(events[0].summary).toBe(findings[0].summary);
    // a container by its name, not its 80-character path
    const other = ev().evaluate({ ...input, metrics: { 'cgroup.cpu.throttled': { [DOCKER]: 0.4 } } }).findings[0];
    expect(other.summary).toMatch(/^shop-api throttled/);
  });

  it('keeps a summary written against a window naming the cgroup', () => {
    const pending = ev().evaluate(input).findings[0];
    const f: Finding = { ...pending, state: 'pending' };
    const stats = { count: 5, min: 0.4, max: 0.5, firstTs: 0, firstValue: 0.4 };
    const { findings } = judgeWindow(
      { last: { use: [], findings: [f], ts: 5000, cgroups }, evaluable: () => 5, stats: () => stats },
      checklist([throttled]),
    );
    expect(findings[0].summary).toMatch(/^web\.service throttled/);
  });
});

describe('a host-wide finding', () => {
  const metrics = {
    'cpu.utilization': { '': 0.95 },
    'cgroup.cpu.usage': { [WEB]: 0.8, [DOCKER]: 0.9, [DB]: 0.1, [IDLE]: 0 },
    'cgroup.memory.working_set': { [WEB]: 10, [DOCKER]: 20, [DB]: 5000, [IDLE]: 1 },
    'cgroup.io.read_bps': { [WEB]: 100, [DB]: 50 },
    'cgroup.io.write_bps': { [DB]: 100, [IDLE]: 0 },
    'cgroup.pids.current': { [WEB]: 4 },
    'memory.utilization': { '': 0.99 },
    'disk.psi_full': { '': 0.5 },
  };

  it('ranks the cgroups by the cgroup measure of its drilldown, named, top 3', () => {
    const memory = rule({ id: 'memory.utilization', metric: 'memory.utilization', warn: 0.9, drilldown: 'memory' });
    const io = rule({ id: 'disk.saturation.psi_full', metric: 'disk.psi_full', warn: 0.05, drilldown: 'io' });
    const ev = new UseEvaluator({ checklist: checklist([cpuUtilizationRule, memory, io]) });
    const byRule = new Map(ev.evaluate({ metrics, processes, cgroups, ts: 0 }).findings.map((f) => [f.rule, f]));
    expect(byRule.get('cpu.utilization')?.evidence.cgroups).toEqual([
      { id: DOCKER, name: 'shop-api', value: 0.9, unit: 'cpus' },
      { id: WEB, name: 'web.service', value: 0.8, unit: 'cpus' },
      { id: DB, name: 'db.service', value: 0.1, unit: 'cpus' },
    ]);
    expect(byRule.get('cpu.utilization')?.evidence.processes.map((p) => p.pid)).toEqual([40, 20, 11]);
    expect(byRule.get('memory.utilization')?.evidence.cgroups?.map((c) => [c.name, c.unit])).toEqual([
      ['db.service', 'bytes'],
      ['shop-api', 'bytes'],
      ['web.service', 'bytes'],
    ]);
    // read and write together; idle and unmeasured cgroups are left out
    expect(byRule.get('disk.saturation.psi_full')?.evidence.cgroups).toEqual([
      { id: DB, name: 'db.service', value: 150, unit: 'bytes_per_s' },
      { id: WEB, name: 'web.service', value: 100, unit: 'bytes_per_s' },
    ]);
  });

  it('has no cgroups without a drilldown, without a cgroup figure for it or without cgroups read', () => {
    const plain = rule({ id: 'cpu.utilization', metric: 'cpu.utilization', warn: 0.7 });
    const fds = rule({ id: 'memory.utilization', metric: 'memory.utilization', warn: 0.9, drilldown: 'fds' });
    const ev = new UseEvaluator({ checklist: checklist([plain, fds]) });
    for (const f of ev.evaluate({ metrics, processes, cgroups, ts: 0 }).findings) {
      expect(f.evidence.cgroups, f.rule).toBeUndefined();
    }
    const noCgroups = new UseEvaluator({ checklist: checklist([cpuUtilizationRule]) });
    expect(noCgroups.evaluate({ metrics, processes, ts: 0 }).findings[0].evidence.cgroups).toBeUndefined();
  });
});
