import type { Finding, FindingEvent, Frame } from '../model/frame.js';
import type { RecorderProblem } from '../outputs/recorder/recorder.js';

export const RECORDING_RULE = 'usewatch.recording';

/** How long a resolved recording finding stays in frames, as the evaluator keeps its own. */
const RESOLVED_RETENTION_MS = 5 * 60_000;

/**
 * Turns the recorder's write problems into a finding on the frames the agent publishes: a full disk
 * or an unwritable directory pauses recording, and the operator should see that where every other
 * problem shows (top, the feed, /metrics), not only in the log.
 */
export class RecordingProblems {
  private finding: Finding | undefined;
  private events: FindingEvent[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  problem(p: RecorderProblem): void {
    if (this.finding?.state === 'firing') return;
    const ts = this.now();
    this.finding = {
      id: `${RECORDING_RULE}@${p.path}`,
      rule: RECORDING_RULE,
      resource: 'filesystem',
      dimension: 'errors',
      instance: p.path,
      severity: p.kind === 'frames_dropped' ? 'warning' : 'critical',
      state: 'firing',
      // The recorder's message says what happened ("recording paused: …", "recorder queue full…").
      summary: p.message,
      since: ts,
      evidence: { value: 1, threshold: 0, windowMs: 0, processes: [] },
      next: [`df -h ${p.path}`, `ls -ld ${p.path}`],
    };
    this.events.push(this.event('raised', ts));
  }

  resumed(): void {
    if (this.finding?.state !== 'firing') return;
    const ts = this.now();
    this.finding = { ...this.finding, state: 'resolved', resolvedAt: ts };
    this.events.push(this.event('resolved', ts));
  }

  /** Adds the finding and any lifecycle events not yet published to a frame before it is published. */
  decorate(frame: Frame): void {
    const f = this.finding;
    if (f) {
      if (f.state === 'resolved' && frame.ts - (f.resolvedAt ?? 0) > RESOLVED_RETENTION_MS) this.finding = undefined;
      else frame.findings.push(f);
    }
    if (this.events.length > 0) {
      frame.events.push(...this.events);
      this.events = [];
    }
  }

  private event(kind: 'raised' | 'resolved', ts: number): FindingEvent {
    const f = this.finding!;
    return {
      ts,
      kind,
      findingId: f.id,
      rule: f.rule,
      instance: f.instance,
      severity: f.severity,
      value: 1,
      summary: f.summary,
    };
  }
}
