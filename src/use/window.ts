import { beyond, type Checklist, type Rule, resolveThresholds, type Thresholds } from '../checklist/model.js';
import type { Evidence, Finding, Frame, Severity, UseCell } from '../model/frame.js';
import { compareFindings, instanceLabel, renderSummary } from './evaluator.js';

/**
 * The evaluator's judgement of a whole window (`usewatch check`, live or over a recording): a
 * finding still pending at the end may have been breached for as long as the window can look.
 * Judged against the checklist's own levels, never levels of its own.
 */

/** A finding as a check reports it: `sustainedThroughWindow` when the window, not the rule's `for`, made it fire. */
export type WindowFinding = Finding & { sustainedThroughWindow?: true };

/** Fewer evaluated samples than this cannot show a breach sustained for the window (docs/check.md). */
export const MIN_WINDOW_SAMPLES = 3;

/** What the window's evaluable samples of one (metric, instance) held, enough to judge it without keeping them. */
export interface SampleStats {
  /** Evaluable samples of the window that had a value for it. */
  count: number;
  /** Lowest and highest values; a value that is not a number widens both to infinity (it breaches nothing). */
  min: number;
  max: number;
  /** The window's first evaluable sample: its time and value. */
  firstTs: number;
  firstValue: number;
}

/** The window as judgeWindow needs it: the last frame, the evaluable samples and each (metric, instance)'s stats. */
export interface WindowSamples {
  last: Pick<Frame, 'use' | 'findings' | 'ts' | 'cgroups'>;
  /** Evaluable samples of the window for a metric: every frame for a gauge, the frames with rates for a rate. */
  evaluable(metric: string): number;
  stats(metric: string, instance: string): SampleStats | undefined;
}

/** A USE cell as a check reports it: `fromWindowFinding` when its status is a finding judged sustained for the window. */
export type WindowCell = UseCell & { fromWindowFinding?: true };

/** The severity every evaluable sample of the window reached, or none when one sample did not. */
function sustainedSeverity(rule: Rule, t: Thresholds, s: SampleStats): Severity | undefined {
  // Every sample is past a level when the least extreme one is.
  const leastExtreme = rule.direction === 'above' ? s.min : s.max;
  if (t.crit !== undefined && beyond(rule.direction, leastExtreme, t.crit)) return 'critical';
  if (t.warn !== undefined && beyond(rule.direction, leastExtreme, t.warn)) return 'warning';
  return undefined;
}

/**
 * How a window shorter than a rule's `for` is judged (docs/check.md): a finding still pending at the
 * end whose (metric, instance) had a value on every evaluable sample of the window, at least
 * MIN_WINDOW_SAMPLES of them, each past its warning level, in one episode (a gap in the samples
 * starts a new one), was breached for as long as the window can look. It counts as firing: at critical only if every sample was past crit, else at warning;
 * one spike does not decide it. Its USE cell takes its severity. Judged by samples, not by
 * milliseconds: tick jitter cannot move the verdict. Having no `for` episode of its own, it takes
 * the window's first sample as the time it fired and the top processes of the last sample as its
 * culprits.
 */
export function judgeWindow(
  window: WindowSamples,
  checklist: Checklist,
): { findings: WindowFinding[]; use: WindowCell[] } {
  const { last } = window;
  const sustained: { finding: WindowFinding; metric: string }[] = [];
  const findings: WindowFinding[] = last.findings.map((f) => {
    if (f.state !== 'pending') return f;
    const rule = checklist.rules.find((r) => r.id === f.rule);
    if (rule === undefined) return f;
    const evaluable = window.evaluable(rule.metric);
    const stats = window.stats(rule.metric, f.instance);
    const t = resolveThresholds(rule, checklist.overrides, f.instance);
    const everySample = stats !== undefined && stats.count >= evaluable && f.since <= stats.firstTs;
    if (evaluable < MIN_WINDOW_SAMPLES || !everySample || t === undefined) return f;
    const severity = sustainedSeverity(rule, t, stats);
    if (severity === undefined) return f;
    const threshold = (severity === 'critical' ? t.crit : t.warn) as number;
    const ev = f.evidence;
    const evidence: Evidence = { ...ev, threshold, firedAt: stats.firstTs, firedValue: stats.firstValue };
    if (ev.processes.length > 0) evidence.culprits = { ts: last.ts, processes: ev.processes };
    const judged: WindowFinding = {
      ...f,
      state: 'firing',
      severity,
      summary: renderSummary(rule, ev.peak ?? ev.value, threshold, instanceLabel(rule, f.instance, last.cgroups)),
      evidence,
      sustainedThroughWindow: true,
    };
    sustained.push({ finding: judged, metric: rule.metric });
    return judged;
  });
  if (sustained.length === 0) return { findings, use: last.use };
  const use = last.use.map((cell): WindowCell => {
    let status = cell.status;
    for (const { finding: f, metric } of sustained) {
      const same = f.resource === cell.resource && f.dimension === cell.dimension && f.instance === cell.instance;
      if (same && metric === cell.metric && status !== 'critical') status = f.severity;
    }
    return status === cell.status ? cell : { ...cell, status, fromWindowFinding: true };
  });
  return { findings: findings.sort(compareFindings), use };
}
