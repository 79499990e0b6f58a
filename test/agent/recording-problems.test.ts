import { describe, expect, it } from 'vitest';
import { RECORDING_RULE, RecordingProblems } from '../../src/agent/recording-problems.js';
import type { Frame } from '../../src/model/frame.js';
import type { RecorderProblem } from '../../src/outputs/recorder/recorder.js';
import { makeFrame } from '../recorder/helpers.js';

const PAUSED: RecorderProblem = {
  kind: 'unwritable',
  code: 'EROFS',
  path: '/var/lib/usewatch',
  message: 'recording paused: cannot write at /var/lib/usewatch: EROFS; retrying every 30s',
};

const QUEUE_FULL: RecorderProblem = {
  kind: 'frames_dropped',
  path: '/var/lib/usewatch',
  message: 'recorder queue full (64 frames): the disk is slower than the tick; dropping frames',
};

function decorated(problems: RecordingProblems, seq: number, ts?: number): Frame {
  const frame = makeFrame(seq, ts);
  problems.decorate(frame);
  return frame;
}

const recordingFinding = (frame: Frame) => frame.findings.find((f) => f.rule === RECORDING_RULE);

describe('recording problems as a finding', () => {
  it("carries the recorder's message once, without repeating its prefix", () => {
    const problems = new RecordingProblems();
    problems.problem(PAUSED);
    const frame = decorated(problems, 1);
    const finding = recordingFinding(frame);
    expect(finding?.summary).toBe('recording paused: cannot write at /var/lib/usewatch: EROFS; retrying every 30s');
    expect(frame.events.map((e) => [e.kind, e.summary])).toEqual([['raised', finding?.summary]]);
    problems.resumed();
    const next = decorated(problems, 2);
    expect(next.events.map((e) => e.kind)).toEqual(['resolved']);
  });

  it('is critical while recording is paused and a warning while frames are dropped, with commands for the directory', () => {
    const paused = new RecordingProblems();
    paused.problem(PAUSED);
    const critical = recordingFinding(decorated(paused, 1));
    expect([critical?.severity, critical?.state, critical?.instance]).toEqual(['critical', 'firing', PAUSED.path]);
    expect(critical?.next).toEqual(['df -h /var/lib/usewatch', 'ls -ld /var/lib/usewatch']);
    const slow = new RecordingProblems();
    slow.problem(QUEUE_FULL);
    expect(recordingFinding(decorated(slow, 1))?.severity).toBe('warning');
  });

  it('adds nothing to frames while the recorder has reported no problem', () => {
    const frame = decorated(new RecordingProblems(), 1);
    expect([frame.findings.length, frame.events.length]).toEqual([makeFrame(1).findings.length, 0]);
  });

  it('raises once while the problem lasts, and escalates when a full queue turns into a paused recording', () => {
    const problems = new RecordingProblems();
    problems.problem(QUEUE_FULL);
    expect(decorated(problems, 1).events.map((e) => e.kind)).toEqual(['raised']);
    problems.problem(QUEUE_FULL);
    expect(decorated(problems, 2).events).toEqual([]);
    problems.problem(PAUSED);
    const frame = decorated(problems, 3);
    expect(frame.events.map((e) => [e.kind, e.severity])).toEqual([['escalated', 'critical']]);
    expect(recordingFinding(frame)?.summary).toBe(PAUSED.message);
  });

  it('raises and resolves a problem that is over before the next frame, on that frame', () => {
    const problems = new RecordingProblems();
    problems.problem(PAUSED);
    problems.resumed();
    const frame = decorated(problems, 1);
    expect(frame.events.map((e) => [e.kind, e.summary])).toEqual([
      ['raised', PAUSED.message],
      ['resolved', PAUSED.message],
    ]);
    expect(recordingFinding(frame)?.state).toBe('resolved');
  });

  it('keeps a resolved finding in frames for five minutes, then drops it', () => {
    const problems = new RecordingProblems();
    problems.problem(PAUSED);
    const first = makeFrame(1);
    problems.decorate(first);
    problems.resumed();
    const resolvedAt = first.ts + 1000;
    expect(recordingFinding(decorated(problems, 2, resolvedAt))?.resolvedAt).toBe(resolvedAt);
    expect(recordingFinding(decorated(problems, 3, resolvedAt + 5 * 60_000))?.state).toBe('resolved');
    expect(recordingFinding(decorated(problems, 4, resolvedAt + 5 * 60_000 + 1000))).toBeUndefined();
  });
});
