import type { Checklist, Rule, Thresholds } from '../checklist/model.js';
import { beyond, resolveThresholds } from '../checklist/model.js';
import { rankProcesses } from '../derive/processes.js';
import type { CgroupCulprit, CgroupEntry } from '../model/cgroup.js';
import type { EvaluationInput, UseEvaluation, UseEvaluatorLike } from '../model/evaluation.js';
import type {
  Evidence,
  Finding,
  FindingEvent,
  FindingEventKind,
  OomVictim,
  ProcessEntry,
  Severity,
} from '../model/frame.js';
import { rankCgroups } from './cgroup-culprits.js';
import { buildMatrix, type Measurement, ROWS_ONLY_WHEN_RAISED } from './matrix.js';
import { median } from './median.js';
import { OomVictims } from './oom-victims.js';
import { formatValue } from './units.js';

export interface EvaluatorOptions {
  checklist: Checklist;
  /** Processes kept as evidence per finding (3: what views show, and frames stay small). */
  topN?: number;
  /** How long a resolved finding stays in the list, with resolvedAt. */
  resolvedRetentionMs?: number;
  /** A (rule, instance) whose metric stays absent this long is forgotten; a firing finding resolves. */
  staleMs?: number;
}

/**
 * An evaluation's input with words for the summaries: a rule whose summary holds `{detail}` shows
 * the text given here for its metric and instance (the recorder's own message for a recording
 * problem, src/agent/recording-problems.ts). The latest text given stays until another replaces it.
 */
export interface DetailedInput extends EvaluationInput {
  /** Text by metric, then instance. */
  details?: Record<string, Record<string, string>>;
}

type Phase = 'ok' | 'pending' | 'firing';

/** One evaluation's figures that evidence is ranked from. */
interface Sample {
  metrics: EvaluationInput['metrics'];
  processes: ProcessEntry[];
  /** Names of every cgroup read, by id. */
  cgroupNames: ReadonlyMap<string, string>;
}

/** A pending breach not seen for more than this many nominal intervals starts again (docs/check.md). */
const GAP_INTERVALS = 3;
const INTERVALS_KEPT = 15;
/** The metrics whose findings name the OOM killer's victims. */
const OOM_METRICS: ReadonlySet<string> = new Set(['memory.oom_kills', 'cgroup.memory.oom_kills']);
/**
 * The kill is logged as it happens and the counter is read on the next tick, so a victim logged up
 * to `for` and this many intervals before the episode began belongs to it.
 */
const VICTIM_LEAD_INTERVALS = 2;

/** State of one (rule, instance): see docs/checklist.md for the transitions. */
interface RuleState {
  rule: Rule;
  instance: string;
  /** Thresholds after overrides, resolved once: instances keep their name for their lifetime. */
  t: Thresholds | undefined;
  phase: Phase;
  severity: Severity;
  since: number;
  /** Firing: when the value came back to the clear level (reset whenever it leaves it). */
  clearSince?: number;
  /** Firing at critical: when the value fell below crit (reset whenever it is back above). */
  calmSince?: number;
  lastSeen: number;
  value: number;
  /** The most extreme value since the episode began (pending included). */
  peak: number;
  firedAt?: number;
  firedValue?: number;
  /** What summaries call the instance: a cgroup's name, else the instance itself. */
  label: string;
  /** Top processes on the latest sample of the episode (a cgroup finding's: the cgroup's own). */
  processes: ProcessEntry[];
  /** Host and device findings: the cgroups ranked by the drilldown's measure on the latest sample. */
  cgroups?: CgroupCulprit[];
  /** Top processes on the sample it fired: the culprits, kept while it fires. */
  culprits?: { ts: number; processes: ProcessEntry[] };
  /** What the summary shows as {detail}. */
  detail: string;
}

const PHASE_ORDER: Record<string, number> = { firing: 0, pending: 1, resolved: 2 };

/** Firing before pending before resolved, critical first, then the oldest episode first. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    PHASE_ORDER[a.state] - PHASE_ORDER[b.state] ||
    (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1) ||
    a.since - b.since
  );
}

function levelOf(rule: Rule, t: Thresholds, value: number): Severity | undefined {
  if (t.crit !== undefined && beyond(rule.direction, value, t.crit)) return 'critical';
  if (t.warn !== undefined && beyond(rule.direction, value, t.warn)) return 'warning';
  return undefined;
}

function thresholdOf(t: Thresholds, severity: Severity): number {
  return (severity === 'critical' ? t.crit : t.warn) ?? t.crit ?? t.warn ?? t.clear;
}

/**
 * "{value} over {threshold} on {instance}" with the metric's unit; host-wide instances read "host".
 * `label` is what the instance is called: a cgroup's name ("nginx.service") for its path.
 */
export function renderSummary(rule: Rule, value: number, threshold: number, label: string, detail = ''): string {
  return rule.summary
    .replaceAll('{value}', formatValue(value, rule.unit))
    .replaceAll('{threshold}', formatValue(threshold, rule.unit))
    .replaceAll('{instance}', label === '' ? 'host' : label)
    .replaceAll('{detail}', detail);
}

/** What a finding's summary calls its instance: the cgroup's name for a cgroup rule, else the instance. */
export function instanceLabel(
  rule: Pick<Rule, 'instanceKind'>,
  instance: string,
  cgroups: readonly CgroupEntry[] | undefined,
): string {
  if (rule.instanceKind !== 'cgroup') return instance;
  return cgroups?.find((c) => c.id === instance)?.name ?? instance;
}

/** The workload cgroup of a pid in the first process list that holds it. */
function cgroupOfPid(lists: readonly (readonly ProcessEntry[])[], pid: number): string | undefined {
  for (const list of lists) {
    const p = list.find((e) => e.pid === pid);
    if (p !== undefined) return p.cgroup;
  }
  return undefined;
}

/** The rule's next commands for one instance: `{instance}` stands for its name (a device, a mount, a path). */
function renderNext(rule: Rule, instance: string): string[] {
  return rule.next.map((command) => command.replaceAll('{instance}', instance));
}

/**
 * Evaluates the checklist tick by tick. Per (rule, instance): ok → pending when the value passes
 * warn or crit → firing once the breach has lasted `for` (and is present on that tick). Pending
 * only falls back to ok when the value returns to the clear level, so a value hovering around the
 * threshold still fires once, or when it went unseen for more than three nominal intervals: a gap in
 * the samples does not count towards `for`. Pending takes the worst level its samples reach, so a finding fires
 * at the severity of its peak. Firing escalates to critical at once, de-escalates after the value
 * has stayed below crit for `clear_for`, and resolves after it has stayed at the clear level for
 * `clear_for`. A finding reports its episode's peak, its value when it fired, the latest value and
 * whether it is clearing; its culprits are the top processes of the sample it fired on.
 */
export class UseEvaluator implements UseEvaluatorLike {
  /**
   * By rule, then instance: a host with a thousand cgroups has eight thousand of them, and a lookup
   * by the two keys builds no `rule@instance` string per tick.
   */
  private readonly states = new Map<Rule, Map<string, RuleState>>();
  private readonly resolved = new Map<string, Finding>();
  private readonly topN: number;
  private readonly retentionMs: number;
  private readonly staleMs: number;
  /** The last few intervals between evaluations, for the nominal interval a gap is measured against. */
  private readonly intervals: number[] = [];
  private lastTs: number | undefined;
  private readonly victims = new OomVictims();
  /** The previous evaluation's processes: where an OOM victim ran when its record does not say. */
  private lastProcesses: readonly ProcessEntry[] = [];

  constructor(private readonly opts: EvaluatorOptions) {
    this.topN = opts.topN ?? 3;
    this.retentionMs = opts.resolvedRetentionMs ?? 5 * 60_000;
    this.staleMs = opts.staleMs ?? 5 * 60_000;
  }

  ruleIds(): string[] {
    return this.opts.checklist.rules.map((r) => r.id);
  }

  evaluate(input: DetailedInput): UseEvaluation {
    const { metrics, processes, ts, details } = input;
    const cgroupNames = new Map(input.cgroups?.map((c) => [c.id, c.name]));
    const sample: Sample = { metrics, processes, cgroupNames };
    const events: FindingEvent[] = [];
    const measurements: Measurement[] = [];
    const gapMs = GAP_INTERVALS * this.nominalInterval();
    if (this.lastTs !== undefined && ts > this.lastTs) {
      this.intervals.push(ts - this.lastTs);
      if (this.intervals.length > INTERVALS_KEPT) this.intervals.shift();
    }
    this.lastTs = ts;
    if (input.kernelEvents !== undefined && input.kernelEvents.length > 0) {
      const known = [this.lastProcesses, processes];
      this.victims.add(input.kernelEvents, (pid) => cgroupOfPid(known, pid));
    }
    if (this.victims.size > 0) this.victims.expire(ts);
    this.lastProcesses = processes;

    for (const rule of this.opts.checklist.rules) {
      const values = metrics[rule.metric];
      if (values === undefined) continue;
      const byInstance = this.statesOf(rule);
      const ruleDetails = details?.[rule.metric];
      for (const instance in values) {
        const st = byInstance.get(instance) ?? this.newState(byInstance, rule, instance, ts);
        if (ruleDetails !== undefined) st.detail = ruleDetails[instance] ?? st.detail;
        if (st.t === undefined) {
          st.lastSeen = ts; // disabled here by an override: kept so it is not resolved again each tick
          continue;
        }
        // A pending breach is only sustained over samples it was seen on: after a gap it starts again.
        if (st.phase === 'pending' && ts - st.lastSeen > gapMs) st.phase = 'ok';
        this.step(st, st.t, values[instance], ts, sample, events);
        const status = st.phase === 'firing' ? st.severity : 'ok';
        if (status !== 'ok' || !ROWS_ONLY_WHEN_RAISED.has(rule.instanceKind)) {
          measurements.push({ rule, instance, status, value: values[instance] });
        }
      }
    }
    measurements.push(...this.okCellsOfRaisedRows(measurements, metrics));

    for (const byInstance of this.states.values()) {
      for (const [instance, st] of byInstance) {
        if (st.lastSeen === ts || ts - st.lastSeen < this.staleMs) continue;
        // The instance is gone (disk removed, mount unmounted): do not keep a finding nobody can clear.
        if (st.phase === 'firing') this.resolve(st, ts, events);
        byInstance.delete(instance);
      }
    }
    for (const [id, f] of this.resolved) {
      if (ts - (f.resolvedAt ?? ts) > this.retentionMs) this.resolved.delete(id);
    }

    const use = buildMatrix(
      measurements,
      this.opts.checklist.rules,
      this.opts.checklist.gaps,
      (rule, instance) => resolveThresholds(rule, this.opts.checklist.overrides, instance) !== undefined,
    );
    return { use, findings: this.findings(ts), events };
  }

  /** The median of the last intervals: a skipped tick or a gap does not move it. */
  private nominalInterval(): number {
    return median(this.intervals) ?? Number.POSITIVE_INFINITY;
  }

  private statesOf(rule: Rule): Map<string, RuleState> {
    let byInstance = this.states.get(rule);
    if (byInstance === undefined) {
      byInstance = new Map();
      this.states.set(rule, byInstance);
    }
    return byInstance;
  }

  private newState(byInstance: Map<string, RuleState>, rule: Rule, instance: string, ts: number): RuleState {
    const st: RuleState = {
      rule,
      instance,
      t: resolveThresholds(rule, this.opts.checklist.overrides, instance),
      phase: 'ok',
      severity: 'warning',
      since: ts,
      lastSeen: ts,
      value: 0,
      peak: 0,
      label: instance,
      processes: [],
      detail: '',
    };
    byInstance.set(instance, st);
    return st;
  }

  /**
   * The ok cells of the rows that only show while raised (a cgroup's), which the evaluation leaves
   * out of its measurements: a thousand cgroups make eight thousand of them a tick, and only the
   * rows with a raised cell are shown. For those rows they come back here, in checklist order, so
   * that the matrix is what it would be from every measurement.
   */
  private okCellsOfRaisedRows(
    measurements: readonly Measurement[],
    metrics: EvaluationInput['metrics'],
  ): Measurement[] {
    const raised = new Set<string>();
    for (const m of measurements)
      if (m.status !== 'ok' && ROWS_ONLY_WHEN_RAISED.has(m.rule.instanceKind)) raised.add(m.instance);
    if (raised.size === 0) return [];
    const ok: Measurement[] = [];
    for (const rule of this.opts.checklist.rules) {
      const values = metrics[rule.metric];
      if (values === undefined || !ROWS_ONLY_WHEN_RAISED.has(rule.instanceKind)) continue;
      for (const instance of raised) {
        const st = this.states.get(rule)?.get(instance);
        const value = values[instance];
        if (st?.t === undefined || value === undefined || st.phase === 'firing') continue;
        ok.push({ rule, instance, status: 'ok', value });
      }
    }
    return ok;
  }

  private step(st: RuleState, t: Thresholds, value: number, ts: number, sample: Sample, events: FindingEvent[]): void {
    st.lastSeen = ts;
    st.value = value;
    const level = levelOf(st.rule, t, value);
    const atClear = !beyond(st.rule.direction, value, t.clear);

    if (st.phase === 'ok') {
      if (level === undefined) return;
      st.phase = 'pending';
      st.since = ts;
      st.severity = level;
      st.peak = value;
      st.firedAt = undefined;
      st.firedValue = undefined;
      st.culprits = undefined;
    }
    // What summaries call a cgroup instance: its name on the latest sample (only read while not ok).
    if (st.rule.instanceKind === 'cgroup') st.label = sample.cgroupNames.get(st.instance) ?? st.label;
    if (beyond(st.rule.direction, value, st.peak)) st.peak = value;

    if (st.phase === 'pending') {
      if (atClear) {
        st.phase = 'ok';
        return;
      }
      // The worst level seen while pending: a finding fires at the severity its peak reached.
      if (level === 'critical') st.severity = level;
      this.rank(st, sample);
      if (level !== undefined && ts - st.since >= t.forMs) {
        st.phase = 'firing';
        st.clearSince = undefined;
        st.calmSince = undefined;
        st.firedAt = ts;
        st.firedValue = value;
        // The culprits are those of the sample it fired on; later samples only update the current top.
        if (st.rule.drilldown !== undefined) st.culprits = { ts, processes: st.processes };
        this.resolved.delete(`${st.rule.id}@${st.instance}`);
        this.emit(st, 'raised', ts, events);
      }
      return;
    }

    this.rank(st, sample);
    if (level === 'critical' && st.severity === 'warning') {
      st.severity = 'critical';
      this.emit(st, 'escalated', ts, events);
    }
    if (atClear) {
      st.clearSince ??= ts;
      if (ts - st.clearSince >= t.clearForMs) {
        this.resolve(st, ts, events);
        return;
      }
    } else {
      st.clearSince = undefined;
    }
    if (st.severity === 'critical' && level !== 'critical') {
      st.calmSince ??= ts;
      if (ts - st.calmSince >= t.clearForMs) {
        st.severity = 'warning';
        st.calmSince = undefined;
        this.emit(st, 'de-escalated', ts, events);
      }
    } else {
      st.calmSince = undefined;
    }
  }

  /**
   * The evidence of the latest sample, by the rule's drilldown: a cgroup finding ranks the frame's
   * processes that run in that cgroup; any other finding ranks all of them, and the cgroups too.
   */
  private rank(st: RuleState, sample: Sample): void {
    const measure = st.rule.drilldown;
    if (measure === undefined) return;
    if (st.rule.instanceKind === 'cgroup') {
      const own = sample.processes.filter((p) => p.cgroup === st.instance);
      st.processes = rankProcesses(own, measure, this.topN);
      return;
    }
    st.processes = rankProcesses(sample.processes, measure, this.topN);
    st.cgroups = rankCgroups(sample.metrics, sample.cgroupNames, measure, this.topN);
  }

  private resolve(st: RuleState, ts: number, events: FindingEvent[]): void {
    this.emit(st, 'resolved', ts, events);
    const finding = this.finding(st, ts);
    delete finding.evidence.clearingSince;
    delete finding.evidence.clearForMs;
    this.resolved.set(finding.id, { ...finding, state: 'resolved', resolvedAt: ts });
    st.phase = 'ok';
    st.clearSince = undefined;
    st.calmSince = undefined;
  }

  private emit(st: RuleState, kind: FindingEventKind, ts: number, events: FindingEvent[]): void {
    const t = st.t!;
    events.push({
      ts,
      kind,
      findingId: `${st.rule.id}@${st.instance}`,
      rule: st.rule.id,
      instance: st.instance,
      severity: st.severity,
      value: st.value,
      summary: renderSummary(st.rule, st.value, thresholdOf(t, st.severity), st.label, st.detail),
    });
  }

  private finding(st: RuleState, ts: number): Finding {
    const t = st.t!;
    const threshold = thresholdOf(t, st.severity);
    const evidence: Evidence = {
      value: st.value,
      threshold,
      peak: st.peak,
      unit: st.rule.unit,
      windowMs: ts - st.since,
      processes: st.processes,
    };
    if (st.rule.drilldown !== undefined) evidence.rankedBy = st.rule.drilldown;
    if (st.firedAt !== undefined) {
      evidence.firedAt = st.firedAt;
      evidence.firedValue = st.firedValue;
    }
    if (st.phase === 'firing' && st.clearSince !== undefined) {
      evidence.clearingSince = st.clearSince;
      evidence.clearForMs = t.clearForMs;
    }
    if (st.culprits !== undefined) evidence.culprits = st.culprits;
    if (st.cgroups !== undefined && st.cgroups.length > 0) evidence.cgroups = st.cgroups;
    if (this.victims.size > 0 && OOM_METRICS.has(st.rule.metric)) {
      const victims = this.victimsOf(st, t);
      if (victims.length > 0) evidence.victims = victims;
    }
    return {
      id: `${st.rule.id}@${st.instance}`,
      rule: st.rule.id,
      resource: st.rule.resource,
      dimension: st.rule.dimension,
      instance: st.instance,
      severity: st.severity,
      state: st.phase === 'firing' ? 'firing' : 'pending',
      // The summary reports the episode's peak: the figure the severity was judged on.
      summary: renderSummary(st.rule, st.peak, threshold, st.label, st.detail),
      since: st.since,
      evidence,
      next: renderNext(st.rule, st.instance),
    };
  }

  /** The OOM victims of the finding's episode: for a cgroup finding, those that ran in it or below it. */
  private victimsOf(st: RuleState, t: Thresholds): OomVictim[] {
    const interval = this.nominalInterval();
    const lead = t.forMs + (Number.isFinite(interval) ? VICTIM_LEAD_INTERVALS * interval : 0);
    return this.victims.since(st.since - lead, st.rule.instanceKind === 'cgroup' ? st.instance : undefined);
  }

  private findings(ts: number): Finding[] {
    const out: Finding[] = [];
    for (const byInstance of this.states.values()) {
      for (const st of byInstance.values()) {
        // A new breach that is only pending does not hide the episode that just resolved (ids are unique).
        if (st.phase === 'firing' || (st.phase === 'pending' && !this.resolved.has(`${st.rule.id}@${st.instance}`))) {
          out.push(this.finding(st, ts));
        }
      }
    }
    out.push(...this.resolved.values());
    return out.sort(compareFindings);
  }
}
