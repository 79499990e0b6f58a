import type { Checklist, Rule } from '../checklist/model.js';
import type { Frame } from '../model/frame.js';
import type { RecorderProblem, RecorderProblemKind } from '../outputs/recorder/recorder.js';
import { UseEvaluator } from '../use/evaluator.js';

export const RECORDING_RULE = 'usewatch.recording';
/** The agent's own state, not a host metric: the catalog does not list it, and it is never published. */
const RECORDING_METRIC: string = 'usewatch.recording_problem';

/** The rule's input: 0 while recording works, 1 while frames are dropped, 2 while recording is paused. */
const LEVEL_OF: Record<RecorderProblemKind, number> = { frames_dropped: 1, disk_full: 2, unwritable: 2, io_error: 2 };

/**
 * Built in, not in the checklist: it watches the agent's own recorder, so it applies exactly when
 * recording is on and no checklist can leave it out. The summary is the recorder's own message
 * ("recording paused: …", "recorder queue full…").
 */
const RECORDING_RULE_DEF: Rule = {
  id: RECORDING_RULE,
  resource: 'filesystem',
  dimension: 'errors',
  metric: RECORDING_METRIC as Rule['metric'],
  unit: 'count',
  instanceKind: 'mount',
  direction: 'above',
  warn: 0,
  crit: 1,
  clear: 0,
  forMs: 0,
  clearForMs: 0,
  summary: '{detail}',
  explain:
    'The recorder cannot keep up (frames dropped: warning) or cannot write (disk full, unwritable directory, ' +
    'I/O error: critical, recording paused and retried); resolves once frames are written again.',
  next: ['df -h {instance}', 'ls -ld {instance}'],
  origin: 'src/agent/recording-problems.ts',
};

const RECORDING_CHECKLIST: Checklist = {
  rules: [RECORDING_RULE_DEF],
  overrides: [],
  gaps: [],
  linkSpeedsBps: {},
  analysis: {},
  files: [],
};

/**
 * Turns the recorder's write problems into a finding on the frames the agent publishes: a full disk
 * or an unwritable directory pauses recording, and the operator should see that where every other
 * problem shows (top, the feed, /metrics), not only in the log. The recorder's state is the input of
 * one rule, evaluated on each frame by the evaluator, which keeps its lifecycle and retention.
 */
export class RecordingProblems {
  private readonly evaluator = new UseEvaluator({ checklist: RECORDING_CHECKLIST });
  /** The recorder's directory and its latest problem; undefined until it reports one. */
  private state: { path: string; level: number; message: string } | undefined;
  /** The worst level since the last frame, so that a problem over before the next frame is still raised. */
  private worstSinceFrame = 0;

  problem(p: RecorderProblem): void {
    const level = LEVEL_OF[p.kind];
    // An open problem keeps its message unless a worse one comes (a full disk after a full queue).
    if (this.state !== undefined && this.state.level >= level) return;
    this.state = { path: p.path, level, message: p.message };
    this.worstSinceFrame = Math.max(this.worstSinceFrame, level);
  }

  resumed(): void {
    if (this.state !== undefined) this.state = { ...this.state, level: 0 };
  }

  /** Adds the finding and any lifecycle events not yet published to a frame before it is published. */
  decorate(frame: Frame): void {
    const state = this.state;
    if (state === undefined) return;
    const evaluate = (level: number) =>
      this.evaluator.evaluate({
        metrics: { [RECORDING_METRIC]: { [state.path]: level } },
        details: { [RECORDING_METRIC]: { [state.path]: state.message } },
        processes: [],
        ts: frame.ts,
      });
    if (this.worstSinceFrame > state.level) frame.events.push(...evaluate(this.worstSinceFrame).events);
    const { findings, events } = evaluate(state.level);
    this.worstSinceFrame = state.level;
    frame.findings.push(...findings);
    frame.events.push(...events);
  }
}
