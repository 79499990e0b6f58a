import { describe, expect, it } from 'vitest';
import type { Checklist } from '../../src/checklist/model.js';
import { FRAME_SCHEMA, type Frame, type MetricValues } from '../../src/model/frame.js';
import { renderJson } from '../../src/report/json.js';
import { runStatus, summarizeRun } from '../../src/report/run.js';
import { renderText } from '../../src/report/text.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { checklist, cpuUtilizationRule, override, proc, rule } from '../use/helpers.js';

const T0 = 1_800_000_000_000;
const SEC = 1000;

/** Default-like rules whose `for` (60 s) outlasts every window here. */
const cpu = { ...cpuUtilizationRule, forMs: 60 * SEC, clearForMs: 60 * SEC };
const disk = rule({
  id: 'disk.utilization',
  metric: 'disk.utilization',
  warn: 0.7,
  crit: 0.9,
  clear: 0.6,
  forMs: 60 * SEC,
  drilldown: 'io',
  summary: '{instance} busy {value} (threshold {threshold})',
});
const set: Checklist = checklist([cpu, disk]);
const hog = proc(4001, 'dd', { readBps: 80e6, cpu: 0.4 });

/** Frames one second apart (or at the given offsets), evaluated as the live pipeline does. */
function frames(metrics: readonly MetricValues[], opts: { set?: Checklist; at?: readonly number[] } = {}): Frame[] {
  const list = opts.set ?? set;
  const ev = new UseEvaluator({ checklist: list });
  const at = opts.at ?? metrics.map((_, i) => i * SEC);
  return metrics.map((m, i) => {
    const ts = T0 + at[i];
    return {
      schema: FRAME_SCHEMA,
      seq: i + 1,
      ts,
      intervalMs: i === 0 ? 0 : at[i] - at[i - 1],
      host: { hostname: 'box', kernel: '6.1.0', cpus: 2, agentVersion: '0.1.0' },
      metrics: m,
      ...ev.evaluate({ metrics: m, processes: [hog], ts }),
      processes: [hog],
      kernelEvents: [],
      sources: [],
      self: { tickMs: 1, tickCpuMs: 1, collectors: [], skippedTicks: 0, rssBytes: 1 },
    };
  });
}

/** A first frame without rates, then one CPU utilization per rated sample. */
const cpuWindow = (values: readonly number[]): MetricValues[] => [
  {},
  ...values.map((v) => ({ 'cpu.utilization': { '': v } })),
];

const judged = (run: ReturnType<typeof summarizeRun>) =>
  run.findings.map((f) => `${f.id} ${f.state} ${f.severity}${f.sustainedThroughWindow ? ' sustained' : ''}`);

describe('a window judges a pending finding by every evaluable sample', () => {
  it('one spike past crit, then values between clear and warn, is not sustained: it stays pending, status OK', () => {
    const run = summarizeRun(frames(cpuWindow([0.95, ...Array(9).fill(0.65)])), set, { intervalMs: SEC });
    expect(judged(run)).toEqual(['cpu.utilization@ pending critical']);
    expect(runStatus(run)).toBe('OK');
    expect(run.use.find((c) => c.metric === 'cpu.utilization')?.status).toBe('ok');
  });

  it('every sample past warn but one under crit fires at warning, not at the peak', () => {
    const run = summarizeRun(frames(cpuWindow([0.95, 0.95, 0.8, 0.95, 0.95])), set, { intervalMs: SEC });
    expect(judged(run)).toEqual(['cpu.utilization@ firing warning sustained']);
    expect(run.findings[0].summary).toBe('CPU busy 95% (threshold 70%)');
    expect(run.findings[0].evidence.threshold).toBe(0.7);
    expect(runStatus(run)).toBe('WARNING');
  });

  it('every sample past crit fires at critical, with the first sample as when it fired and the last sample culprits', () => {
    const fr = frames(cpuWindow([0.97, 0.95, 0.96, 0.99]));
    const run = summarizeRun(fr, set, { intervalMs: SEC });
    expect(judged(run)).toEqual(['cpu.utilization@ firing critical sustained']);
    expect(run.findings[0].evidence).toMatchObject({
      firedAt: fr[1].ts,
      firedValue: 0.97,
      culprits: { ts: fr.at(-1)!.ts, processes: [{ pid: 4001 }] },
    });
    const text = renderText(run, { color: false });
    expect(text).toContain("97% on the window's first sample at");
    expect(text).toMatch(/culprits on the last sample at \d\d:\d\d:\d\dZ, ranked by cpu:\n +4001 dd/);
    expect(text).not.toContain('top processes on the last sample');
    expect(JSON.parse(JSON.stringify(renderJson(run))).findings[0].evidence.culprits.processes[0].pid).toBe(4001);
  });

  it('an instance that appears after the first evaluable sample is not judged on its few samples', () => {
    const quiet = { 'cpu.utilization': { '': 0.1 }, 'disk.utilization': { vda: 0.1 } };
    const late = { 'cpu.utilization': { '': 0.1 }, 'disk.utilization': { vda: 0.1, sdz: 0.99 } };
    const run = summarizeRun(frames([{}, quiet, late, late, late, late]), set, { intervalMs: SEC });
    expect(judged(run)).toEqual(['disk.utilization@sdz pending critical']);
    expect(runStatus(run)).toBe('OK');
  });

  it('a metric that is gone on the last sample is not promoted with a stale value', () => {
    const busy = { 'cpu.utilization': { '': 0.1 }, 'disk.utilization': { sdz: 0.99 } };
    const gone = { 'cpu.utilization': { '': 0.1 } };
    const run = summarizeRun(frames([{}, busy, busy, busy, busy, gone]), set, { intervalMs: SEC });
    expect(judged(run)).toEqual(['disk.utilization@sdz pending critical']);
    expect(runStatus(run)).toBe('OK');
  });

  it('fewer than three evaluated samples judge nothing; three do', () => {
    const two = summarizeRun(frames(cpuWindow([0.99, 0.99])), set, { intervalMs: SEC });
    expect(judged(two)).toEqual(['cpu.utilization@ pending critical']);
    expect(runStatus(two)).toBe('OK');
    const three = summarizeRun(frames(cpuWindow([0.99, 0.99, 0.99])), set, { intervalMs: SEC });
    expect(runStatus(three)).toBe('CRITICAL');
  });

  it('a sample that is not a number breaches nothing', () => {
    const run = summarizeRun(frames(cpuWindow([Number.NaN, 0.95, 0.95, 0.95])), set, { intervalMs: SEC });
    expect(runStatus(run)).toBe('OK');
  });

  it('judges each instance by its own thresholds and states its own `for`', () => {
    const strict = checklist(
      [cpu, disk],
      [override({ rule: 'disk.utilization', instance: 'sdz', warn: 0.95, crit: 0.98, forMs: 120 * SEC })],
    );
    const m = { 'disk.utilization': { vda: 0.92, sdz: 0.97 } };
    const run = summarizeRun(frames([{}, m, m, m, m], { set: strict }), strict, { intervalMs: SEC });
    expect(judged(run)).toEqual([
      'disk.utilization@vda firing critical sustained',
      'disk.utilization@sdz firing warning sustained',
    ]);
    const text = renderText(run, { color: false });
    expect(text).toContain('sdz) firing: breached on every sample of the 4s window (its `for` is 2m)');
    expect(text).toContain('vda) firing: breached on every sample of the 4s window (its `for` is 1m)');
  });

  it('a gap in the samples starts the episode again: neither `for` nor the window counts across it', () => {
    const gapped = summarizeRun(
      frames(cpuWindow([0.95, 0.95, 0.95, 0.95, 0.95]), { at: [0, 1, 2, 3, 603, 604].map((s) => s * SEC) }),
      set,
      { mode: 'replay' },
    );
    expect(gapped.events).toEqual([]);
    expect(judged(gapped)).toEqual(['cpu.utilization@ pending critical']);
    expect(runStatus(gapped)).toBe('OK');
    expect(renderText(gapped, { color: false })).toContain('10m04s window at 1s, 6 samples');
  });
});

describe('the matrix of a window-judged finding', () => {
  it('marks the cell whose severity comes from the finding, and says why below the matrix', () => {
    const run = summarizeRun(frames(cpuWindow([0.95, 0.95, 0.8, 0.95, 0.75])), set, { intervalMs: SEC });
    const text = renderText(run, { color: false });
    expect(text).toMatch(/cpu +host +75% WARN\*/);
    expect(text).toContain("* severity from the window's finding, breached on every sample");
    const quiet = renderText(summarizeRun(frames(cpuWindow([0.1, 0.1, 0.1])), set, { intervalMs: SEC }), {
      color: false,
    });
    expect(quiet).not.toContain("window's finding");
  });
});
