import { describe, expect, it } from 'vitest';
import type { EvaluationInput, UseEvaluatorLike } from '../../src/model/evaluation.js';
import type { Finding } from '../../src/model/frame.js';
import { createRecorder } from '../../src/outputs/recorder/recorder.js';
import { readRecording } from '../../src/replay/reader.js';
import { reevaluate } from '../../src/replay/reevaluate.js';
import { collect, makeFrame, tempDir } from '../recorder/helpers.js';

/** Fires once cpu.utilization has been at or above `threshold` for two frames in a row. */
function stubEvaluator(threshold: number): UseEvaluatorLike & { inputs: EvaluationInput[] } {
  let streak = 0;
  const inputs: EvaluationInput[] = [];
  return {
    inputs,
    ruleIds: () => ['cpu.busy'],
    evaluate(input) {
      inputs.push(input);
      streak = (input.metrics['cpu.utilization']?.[''] ?? 0) >= threshold ? streak + 1 : 0;
      const findings = streak >= 2 ? [{ id: 'cpu.busy@', rule: 'cpu.busy', state: 'firing' } as Finding] : [];
      return { use: [], findings, events: [] };
    },
  };
}

describe('reevaluate', () => {
  it('recomputes findings from the recorded metrics in recorded time, keeping rule state across frames', async () => {
    const dir = tempDir();
    const recorder = createRecorder({ dir });
    for (let seq = 1; seq <= 10; seq++) recorder.write(makeFrame(seq)); // cpu.utilization = seq / 100
    await recorder.close();
    const evaluator = stubEvaluator(0.07);
    const frames = await collect(reevaluate(await readRecording(dir), evaluator));
    expect(frames.map((f) => f.findings.length)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(evaluator.inputs.map((i) => i.ts)).toEqual(frames.map((f) => f.ts));
    expect(evaluator.inputs[0].processes).toEqual(frames[0].processes);
  });
});
