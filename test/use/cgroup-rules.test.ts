import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import type { Rule } from '../../src/checklist/model.js';
import { precompileDefault } from '../../src/checklist/precompile.js';
import { DEFAULT_CHECKLIST, fromPrecompiled } from '../../src/checklist/precompiled.js';
import { renderRuleExplain } from '../../src/report/checklist.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { checklist, rule } from './helpers.js';

const CGROUP_RULES = [
  'cgroup.cpu.saturation.throttled',
  'cgroup.cpu.saturation.psi',
  'cgroup.memory.utilization',
  'cgroup.memory.saturation.psi',
  'cgroup.memory.errors.oom_kill',
  'cgroup.io.saturation.psi',
  'cgroup.tasks.utilization',
  'cgroup.tasks.errors.fork_refused',
];
const WEB = '/system.slice/web.service';
const DB = '/system.slice/db.service';

describe('the default cgroup rules', () => {
  it('are in the default set and its precompiled form, per cgroup, with their cited levels', async () => {
    const json = JSON.stringify(await precompileDefault());
    const precompiled = fromPrecompiled(json, await readFile(DEFAULT_CHECKLIST, 'utf8'), DEFAULT_CHECKLIST);
    const set = await loadChecklist();
    for (const loaded of [set, precompiled]) {
      const rules = loaded?.rules.filter((r) => r.id.startsWith('cgroup.')) ?? [];
      expect(rules.map((r) => r.id)).toEqual(CGROUP_RULES);
      for (const r of rules) expect(r.instanceKind, r.id).toBe('cgroup');
    }
    const byId = new Map(set.rules.map((r) => [r.id, r]));
    expect(byId.get('cgroup.cpu.saturation.throttled')).toMatchObject({ warn: 0.25, metric: 'cgroup.cpu.throttled' });
    expect(byId.get('cgroup.memory.errors.oom_kill')).toMatchObject({ crit: 0, forMs: 0 });
    expect(byId.get('cgroup.tasks.errors.fork_refused')).toMatchObject({ crit: 0, forMs: 0 });
    // PSI per cgroup at the host rules' levels
    for (const [cgroup, host] of [
      ['cgroup.cpu.saturation.psi', 'cpu.saturation.psi'],
      ['cgroup.memory.saturation.psi', 'memory.saturation.psi_some'],
      ['cgroup.io.saturation.psi', 'disk.saturation.blocked_tasks'],
      ['cgroup.tasks.utilization', 'tasks.utilization'],
    ]) {
      const { warn, crit, clear } = byId.get(host)!;
      expect(byId.get(cgroup), cgroup).toMatchObject({ warn, crit, clear });
    }
    expect(byId.has('tasks.utilization.cgroup')).toBe(true);
  });

  it('are explained by `checklist explain` with their source and next commands', async () => {
    const set = await loadChecklist();
    const text = renderRuleExplain(set, set.rules.find((r) => r.id === 'cgroup.cpu.saturation.throttled')!);
    expect(text).toContain('kubernetes-mixin CPUThrottlingHigh');
    expect(text).toContain('systemd-cgtop {instance}');
  });

  it("name the cgroup's path in the next commands of a finding", async () => {
    const set = await loadChecklist();
    const oom = set.rules.find((r) => r.id === 'cgroup.memory.errors.oom_kill')!;
    const ev = new UseEvaluator({ checklist: checklist([oom]) });
    const { findings } = ev.evaluate({ metrics: { 'cgroup.memory.oom_kills': { [WEB]: 1 } }, processes: [], ts: 0 });
    expect(findings[0].next[0]).toBe(`cat /sys/fs/cgroup${WEB}/memory.events`);
  });
});

describe('cgroup rows of the USE matrix', () => {
  const saturation = (id: string, metric: Rule['metric'], warn: number) =>
    rule({ id, metric, dimension: 'saturation', warn });
  const throttled = saturation('cgroup.cpu.saturation.throttled', 'cgroup.cpu.throttled', 0.25);
  const psi = saturation('cgroup.cpu.saturation.psi', 'cgroup.cpu.pressure', 0.1);
  const hostCpu = rule({ id: 'cpu.utilization', metric: 'cpu.utilization', warn: 0.7 });

  it('appear only while one of their cells is warning or critical, with cells from cgroup rules only', () => {
    const ev = new UseEvaluator({ checklist: checklist([hostCpu, throttled, psi]) });
    const use = ev.evaluate({
      metrics: {
        'cpu.utilization': { '': 0.2 },
        'cgroup.cpu.throttled': { [WEB]: 0.6, [DB]: 0 },
        'cgroup.cpu.pressure': { [WEB]: 0.01, [DB]: 0 },
      },
      processes: [],
      ts: 0,
    }).use;
    expect(use.map((c) => [c.instance, c.dimension, c.status])).toEqual([
      ['', 'utilization', 'ok'],
      [WEB, 'saturation', 'warning'],
    ]);
    const calm = ev.evaluate({
      metrics: { 'cpu.utilization': { '': 0.2 }, 'cgroup.cpu.throttled': { [WEB]: 0.1 } },
      processes: [],
      ts: 1000,
    }).use;
    expect(calm.map((c) => c.instance)).toEqual(['']);
  });

  it('a raised row shows its ok cells too, each from the first rule in checklist order, as the host rows do', () => {
    const memoryPsi = saturation('cgroup.memory.saturation.psi', 'cgroup.memory.pressure', 0.1);
    const memoryUse = rule({ id: 'cgroup.memory.utilization', metric: 'cgroup.memory.utilization', warn: 0.9 });
    const pidsUse = rule({ id: 'cgroup.tasks.utilization', metric: 'cgroup.pids.utilization', warn: 0.9 });
    const oom = rule({
      id: 'cgroup.memory.errors.oom_kill',
      metric: 'cgroup.memory.oom_kills',
      dimension: 'errors',
      crit: 0,
    });
    const ev = new UseEvaluator({ checklist: checklist([throttled, memoryPsi, memoryUse, pidsUse, oom, psi]) });
    const idle = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`/system.slice/idle-${i}.service`, 0]));
    const use = ev.evaluate({
      metrics: {
        'cgroup.cpu.throttled': { [WEB]: 0.1, [DB]: 0.6, ...idle },
        'cgroup.cpu.pressure': { [WEB]: 0.01, [DB]: 0.02, ...idle },
        'cgroup.memory.pressure': { [WEB]: 0.05, [DB]: 0, ...idle },
        'cgroup.memory.utilization': { [WEB]: 0.4, [DB]: 0.3, ...idle },
        'cgroup.pids.utilization': { [WEB]: 0.2, [DB]: 0.1, ...idle },
        'cgroup.memory.oom_kills': { [WEB]: 1, [DB]: 0, ...idle },
      },
      processes: [],
      ts: 0,
    }).use;
    expect(use.map((c) => [c.resource, c.instance, c.dimension, c.status, c.metric, c.value])).toEqual([
      // DB's CPU row: throttled decides saturation, the pressure rule after it does not
      ['cpu', DB, 'saturation', 'warning', 'cgroup.cpu.throttled', 0.6],
      // WEB's memory row: the OOM kill raises it, utilization and pressure show as ok
      ['memory', WEB, 'utilization', 'ok', 'cgroup.memory.utilization', 0.4],
      ['memory', WEB, 'saturation', 'ok', 'cgroup.memory.pressure', 0.05],
      ['memory', WEB, 'errors', 'critical', 'cgroup.memory.oom_kills', 1],
    ]);
  });
});
