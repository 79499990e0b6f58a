import { describe, expect, it } from 'vitest';
import { RECORDING_RULE, RecordingProblems } from '../../src/agent/recording-problems.js';
import type { Frame } from '../../src/model/frame.js';
import { makeFrame } from '../recorder/helpers.js';

describe('recording problems as a finding', () => {
  it("carries the recorder's message once, without repeating its prefix", () => {
    let now = 1_000;
    const problems = new RecordingProblems(() => now);
    problems.problem({
      kind: 'unwritable',
      code: 'EROFS',
      path: '/var/lib/usewatch',
      message: 'recording paused: cannot write at /var/lib/usewatch: EROFS; retrying every 30s',
    });
    const frame: Frame = makeFrame(1);
    problems.decorate(frame);
    const finding = frame.findings.find((f) => f.rule === RECORDING_RULE);
    expect(finding?.summary).toBe('recording paused: cannot write at /var/lib/usewatch: EROFS; retrying every 30s');
    expect(frame.events.map((e) => [e.kind, e.summary])).toEqual([['raised', finding?.summary]]);
    now += 5_000;
    problems.resumed();
    const next = makeFrame(2);
    problems.decorate(next);
    expect(next.events.map((e) => e.kind)).toEqual(['resolved']);
  });
});
