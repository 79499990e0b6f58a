import { describe, expect, it } from 'vitest';
import type { MetricValues } from '../../src/model/frame.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { findingFigures } from '../../src/use/finding-text.js';
import { checklist, oscillate, override, proc, rule, runqueueRule, timeToFullRule } from './helpers.js';

const T0 = 1_700_000_000_000;
const SEC = 1000;

const runqueue = runqueueRule;

/** Feeds one value per second for the rule's metric at instance "" and returns every tick's result. */
function run(ev: UseEvaluator, metric: string, values: (number | undefined)[], instance = '', start = T0) {
  return values.map((v, i) => {
    const metrics: MetricValues = v === undefined ? {} : { [metric]: { [instance]: v } };
    return ev.evaluate({ metrics, processes: [], ts: start + i * SEC });
  });
}

describe('state machine', () => {
  it('ok → pending → firing after `for`, with a raised event stamped at the firing tick', () => {
    const ev = new UseEvaluator({ checklist: checklist([runqueue]) });
    const ticks = run(ev, runqueue.metric, [0.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
    expect(ticks[0].findings).toEqual([]);
    expect(ticks[1].findings).toMatchObject([{ state: 'pending', severity: 'warning', since: T0 + SEC }]);
    expect(ticks.slice(0, 11).flatMap((t) => t.events)).toEqual([]);
    expect(ticks[11].events).toEqual([
      {
        ts: T0 + 11 * SEC,
        kind: 'raised',
        findingId: 'cpu.saturation.runqueue@',
        rule: 'cpu.saturation.runqueue',
        instance: '',
        severity: 'warning',
        value: 1.5,
        summary: 'run queue 150% per CPU (threshold 100%)',
      },
    ]);
    expect(ticks[11].findings[0]).toMatchObject({
      state: 'firing',
      since: T0 + SEC,
      evidence: { value: 1.5, threshold: 1, windowMs: 10 * SEC },
      next: ['mpstat -P ALL 1'],
    });
  });

  it('a breach that falls back to the clear level before `for` never fires', () => {
    const ev = new UseEvaluator({ checklist: checklist([runqueue]) });
    const ticks = run(ev, runqueue.metric, [1.5, 1.5, 0.5, 1.5, 1.5, 0.5, 0.7]);
    expect(ticks.flatMap((t) => t.events)).toEqual([]);
    expect(ticks[6].findings).toEqual([]);
  });

  it('resolves only after the value stays at the clear level for clear_for; the finding stays listed', () => {
    const ev = new UseEvaluator({ checklist: checklist([runqueue]), resolvedRetentionMs: 60 * SEC });
    const high = Array(11).fill(1.5);
    // 0.9 is below warn but above clear: still firing. Then 5 s at clear, a relapse, and 10 s at clear.
    const values = [...high, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.9, ...Array(11).fill(0.5)];
    const ticks = run(ev, runqueue.metric, values);
    const events = ticks.flatMap((t) => t.events);
    expect(events.map((e) => [e.kind, (e.ts - T0) / SEC])).toEqual([
      ['raised', 10],
      ['resolved', 29],
    ]);
    const last = ticks.at(-1)!;
    expect(last.findings).toMatchObject([{ state: 'resolved', resolvedAt: T0 + 29 * SEC, since: T0 }]);
    // Kept for the retention period, then dropped.
    const later = ev.evaluate({ metrics: { [runqueue.metric]: { '': 0.5 } }, processes: [], ts: T0 + 90 * SEC });
    expect(later.findings).toEqual([]);
  });

  it('a new breach that is only pending keeps the resolved episode listed; firing replaces it', () => {
    const ev = new UseEvaluator({ checklist: checklist([{ ...runqueue, forMs: 3 * SEC, clearForMs: 0 }]) });
    const ticks = run(ev, runqueue.metric, [1.5, 1.5, 1.5, 1.5, 0.5, 1.5, 0.5, 1.5, 1.5, 1.5, 1.5]);
    expect(ticks[5].findings).toMatchObject([{ id: 'cpu.saturation.runqueue@', state: 'resolved' }]);
    expect(ticks[6].findings).toMatchObject([{ state: 'resolved' }]);
    expect(ticks[10].findings).toMatchObject([{ state: 'firing', since: T0 + 7 * SEC }]);
    expect(ticks[10].findings).toHaveLength(1);
  });

  it('escalates at once, de-escalates after clear_for below crit', () => {
    const ev = new UseEvaluator({ checklist: checklist([{ ...runqueue, forMs: 0, clearForMs: 3 * SEC }]) });
    const ticks = run(ev, runqueue.metric, [1.5, 2.5, 2.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
    const events = ticks.flatMap((t) => t.events);
    expect(events.map((e) => [e.kind, e.severity, (e.ts - T0) / SEC])).toEqual([
      ['raised', 'warning', 0],
      ['escalated', 'critical', 1],
      ['de-escalated', 'warning', 6],
    ]);
    expect(ticks[2].findings[0]).toMatchObject({ severity: 'critical', evidence: { threshold: 2 } });
    expect(ticks[2].findings[0].summary).toBe('run queue 250% per CPU (threshold 200%)');
  });

  it('fires straight at critical when the first breach is past crit', () => {
    const ev = new UseEvaluator({ checklist: checklist([{ ...runqueue, forMs: 0 }]) });
    const [t] = run(ev, runqueue.metric, [3]);
    expect(t.events).toMatchObject([{ kind: 'raised', severity: 'critical' }]);
  });

  it('direction below: fires when the value drops under warn', () => {
    const ttf = timeToFullRule;
    const ev = new UseEvaluator({ checklist: checklist([ttf]) });
    const ticks = run(ev, ttf.metric, [100, 6, 1, 20, 50], '/');
    expect(ticks.flatMap((t) => t.events).map((e) => `${e.kind}:${e.severity}`)).toEqual([
      'raised:warning',
      'escalated:critical',
      'de-escalated:warning',
      'resolved:warning',
    ]);
  });

  it('an absent metric makes the cell unknown (or a gap with the rule reason) and keeps the finding', () => {
    const mce = rule({
      id: 'cpu.errors.mce',
      metric: 'cpu.machine_check_events',
      dimension: 'errors',
      crit: 0,
      gap: 'no machine-check source',
    });
    const ev = new UseEvaluator({ checklist: checklist([{ ...runqueue, forMs: 0 }, mce]) });
    const [firing, absent] = run(ev, runqueue.metric, [1.5, undefined]);
    expect(firing.use.find((c) => c.dimension === 'saturation')).toMatchObject({ status: 'warning', value: 1.5 });
    expect(absent.use).toEqual([
      {
        resource: 'cpu',
        instance: '',
        dimension: 'saturation',
        status: 'unknown',
        reason: 'no value for cpu.runqueue_per_cpu',
      },
      { resource: 'cpu', instance: '', dimension: 'errors', status: 'gap', reason: 'no machine-check source' },
    ]);
    expect(absent.findings).toMatchObject([{ state: 'firing' }]);
    expect(absent.events).toEqual([]);
  });

  it('a firing finding whose instance disappears for good resolves after staleMs', () => {
    const util = rule({ id: 'disk.utilization', metric: 'disk.utilization', warn: 0.6, clear: 0.5 });
    const ev = new UseEvaluator({ checklist: checklist([util]), staleMs: 30 * SEC });
    ev.evaluate({ metrics: { 'disk.utilization': { sdb: 0.9 } }, processes: [], ts: T0 });
    const gone = ev.evaluate({ metrics: { 'disk.utilization': {} }, processes: [], ts: T0 + 31 * SEC });
    expect(gone.events).toMatchObject([{ kind: 'resolved', instance: 'sdb' }]);
  });
});

describe('what a finding reports', () => {
  const fmt = {
    value: (v: number) => v.toFixed(2),
    clock: (ts: number) => `t+${(ts - T0) / SEC}`,
    duration: (ms: number) => `${ms / SEC}s`,
  };

  it('a firing finding reports its peak with the threshold of its severity, its value at firing and now', () => {
    const ev = new UseEvaluator({ checklist: checklist([{ ...runqueue, forMs: 2 * SEC }]) });
    const ticks = run(ev, runqueue.metric, [1.5, 2.5, 1.2, 1.1]);
    const f = ticks[3].findings[0];
    expect(f).toMatchObject({ state: 'firing', severity: 'critical' });
    expect(f.summary).toBe('run queue 250% per CPU (threshold 200%)');
    expect(f.evidence).toMatchObject({ value: 1.1, peak: 2.5, firedAt: T0 + 2 * SEC, firedValue: 1.2, threshold: 2 });
    expect(findingFigures(f, fmt)).toBe('peak 2.50, 1.20 when it fired at t+2, now 1.10');
  });

  it('a finding back at its clear level says that it is clearing, and when it resolves', () => {
    const ev = new UseEvaluator({ checklist: checklist([{ ...runqueue, forMs: 0 }]) });
    const ticks = run(ev, runqueue.metric, [1.5, 0.5, 0.5]);
    const f = ticks[2].findings[0];
    expect(f.evidence).toMatchObject({ clearingSince: T0 + SEC, clearForMs: 10 * SEC });
    expect(findingFigures(f, fmt)).toBe(
      'peak 1.50, 1.50 when it fired at t+0, now 0.50; clearing: back at its clear level since t+1, resolves after 10s there',
    );
    const resolved = run(ev, runqueue.metric, Array(10).fill(0.5), '', T0 + 3 * SEC).at(-1)!.findings[0];
    expect(resolved.state).toBe('resolved');
    expect(resolved.evidence.clearingSince).toBeUndefined();
  });

  it('a gap of more than three intervals in the samples starts a pending breach again: it does not count towards `for`', () => {
    const ev = new UseEvaluator({ checklist: checklist([runqueue]) });
    const before = run(ev, runqueue.metric, [1.5, 1.5, 1.5, 1.5]);
    const after = run(ev, runqueue.metric, [1.5, 1.5], '', T0 + 600 * SEC);
    expect([...before, ...after].flatMap((t) => t.events)).toEqual([]);
    expect(after[1].findings).toMatchObject([{ state: 'pending', since: T0 + 600 * SEC }]);
    // A skipped tick or two is no gap: the episode goes on and fires after its `for`.
    const steady = new UseEvaluator({ checklist: checklist([runqueue]) });
    const skipping = run(steady, runqueue.metric, [1.5, 1.5, undefined, undefined, ...Array(8).fill(1.5)]);
    expect(skipping.flatMap((t) => t.events).map((e) => e.kind)).toEqual(['raised']);
  });

  // The evaluator reports the peak; a check's window takes no severity from one sample (test/report/window.test.ts).
  it('a pending finding below its warning level reports the peak that made it critical', () => {
    const ev = new UseEvaluator({ checklist: checklist([runqueue]) });
    const f = run(ev, runqueue.metric, [2.5, 0.9]).at(-1)!.findings[0];
    expect(f).toMatchObject({
      state: 'pending',
      severity: 'critical',
      summary: 'run queue 250% per CPU (threshold 200%)',
    });
    expect(findingFigures(f, fmt)).toBe('pending: peak 2.50, now 0.90');
  });
});

describe('anti-flap', () => {
  it('ten minutes of 1 s ticks oscillating ±1 % around warn yield one finding, not dozens', () => {
    const ev = new UseEvaluator({ checklist: checklist([runqueue]) });
    const ticks = run(ev, runqueue.metric, oscillate(runqueue, 1, 600));
    const events = ticks.flatMap((t) => t.events);
    expect(events.map((e) => e.kind)).toEqual(['raised']);
    expect(ticks.at(-1)!.findings).toHaveLength(1);
  });

  it('the same holds around crit: one critical raise, no escalation churn', () => {
    const ev = new UseEvaluator({ checklist: checklist([runqueue]) });
    const events = run(ev, runqueue.metric, oscillate(runqueue, 2, 600)).flatMap((t) => t.events);
    expect(events.map((e) => `${e.kind}:${e.severity}`)).toEqual(['raised:critical']);
  });
});

describe('per-instance overrides and evidence', () => {
  const util = rule({
    id: 'disk.utilization',
    metric: 'disk.utilization',
    warn: 0.6,
    crit: 0.9,
    clear: 0.5,
    drilldown: 'io',
  });

  it('an override changes one instance, another disables one', () => {
    const set = checklist(
      [util],
      [
        override({ rule: 'disk.utilization', instance: 'nvme*', warn: 0.95 }),
        override({ rule: 'disk.utilization', instance: 'loop0', disabled: true }),
      ],
    );
    const ev = new UseEvaluator({ checklist: set });
    const out = ev.evaluate({
      metrics: { 'disk.utilization': { vda: 0.7, nvme0n1: 0.7, loop0: 1 } },
      processes: [],
      ts: T0,
    });
    expect(out.findings.map((f) => f.id)).toEqual(['disk.utilization@vda']);
    expect(out.use.map((c) => [c.instance, c.status])).toEqual([
      ['nvme0n1', 'ok'],
      ['vda', 'warning'],
    ]);
  });

  it('evidence lists the top processes by the rule drilldown', () => {
    const ev = new UseEvaluator({ checklist: checklist([util]), topN: 2 });
    const processes = [
      proc(10, 'dd', { readBps: 0, writeBps: 50e6, state: 'D' }),
      proc(11, 'bash'),
      proc(12, 'rsync', { readBps: 80e6 }),
      proc(13, 'cat', { readBps: 1e3 }),
    ];
    const out = ev.evaluate({ metrics: { 'disk.utilization': { vda: 0.95 } }, processes, ts: T0 });
    expect(out.findings[0].evidence.processes.map((p) => p.name)).toEqual(['dd', 'rsync']);
  });

  it('keeps the culprits of the sample it fired on, with their time, next to the current top', () => {
    const ev = new UseEvaluator({ checklist: checklist([{ ...util, clearForMs: 5 * SEC }]) });
    const culprit = [proc(10, 'dd', { writeBps: 90e6, state: 'D' })];
    const after = [proc(20, 'sshd', { readBps: 1e3 })];
    ev.evaluate({ metrics: { 'disk.utilization': { vda: 0.95 } }, processes: culprit, ts: T0 });
    const out = ev.evaluate({ metrics: { 'disk.utilization': { vda: 0.1 } }, processes: after, ts: T0 + SEC });
    const evidence = out.findings[0].evidence;
    expect(evidence.culprits?.ts).toBe(T0);
    expect(evidence.culprits?.processes.map((p) => p.name)).toEqual(['dd']);
    expect(evidence.processes.map((p) => p.name)).toEqual(['sshd']);
    expect(evidence.rankedBy).toBe('io');
  });
});

describe('summaries and next commands per instance', () => {
  it('shows {detail} from the input in the summary and keeps the latest text once the input stops giving it', () => {
    const mount = rule({ id: 'fs.ro', metric: 'fs.readonly', warn: 0, clear: 0, summary: '{instance}: {detail}' });
    const ev = new UseEvaluator({ checklist: checklist([mount]) });
    const fired = ev.evaluate({
      metrics: { 'fs.readonly': { '/srv': 1 } },
      details: { 'fs.readonly': { '/srv': 'remounted read-only after errors' } },
      processes: [],
      ts: T0,
    });
    expect(fired.findings[0].summary).toBe('/srv: remounted read-only after errors');
    const resolved = ev.evaluate({ metrics: { 'fs.readonly': { '/srv': 0 } }, processes: [], ts: T0 + SEC });
    expect(resolved.events.map((e) => [e.kind, e.summary])).toEqual([
      ['resolved', '/srv: remounted read-only after errors'],
    ]);
  });

  it('writes the instance into next commands where they name {instance}', () => {
    const disk = rule({
      id: 'disk.busy',
      metric: 'disk.utilization',
      warn: 0.5,
      next: ['iostat -x {instance} 1', 'iotop'],
    });
    const ev = new UseEvaluator({ checklist: checklist([disk]) });
    const { findings } = ev.evaluate({ metrics: { 'disk.utilization': { sda: 0.9 } }, processes: [], ts: T0 });
    expect(findings[0].next).toEqual(['iostat -x sda 1', 'iotop']);
  });
});
