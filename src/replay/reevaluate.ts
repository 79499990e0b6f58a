import type { UseEvaluatorLike } from '../model/evaluation.js';
import type { Frame, FrameSource } from '../model/frame.js';

/**
 * Recorded frames with their USE matrix, findings and events recomputed by `evaluator` from the
 * recorded metrics, processes and cgroups (only those the frame carried): "would my new thresholds have fired last night?". The evaluator
 * keeps its rule state across frames, as it does live, so `for`/`clear_for` play out in recorded time.
 */
export async function* reevaluate(frames: FrameSource, evaluator: UseEvaluatorLike): AsyncGenerator<Frame> {
  for await (const frame of frames) {
    const { use, findings, events } = evaluator.evaluate({
      metrics: frame.metrics,
      processes: frame.processes,
      cgroups: frame.cgroups,
      ts: frame.ts,
    });
    yield { ...frame, use, findings, events };
  }
}
