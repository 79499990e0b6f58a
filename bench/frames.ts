import { setTimeout as sleep } from 'node:timers/promises';
import { loadChecklist } from '../src/checklist/load.js';
import type { Frame } from '../src/model/frame.js';
import { Engine } from '../src/pipeline/engine.js';
import { UseEvaluator } from '../src/use/evaluator.js';

/**
 * Real frames of this host with the default checklist evaluated. Ticks 100 ms apart make rates
 * noisier than at 1 s, hence less compressible: the figure errs on the side of the budget.
 */
export async function captureFrames(count: number): Promise<{ frames: Frame[]; note: string }> {
  let evaluator: UseEvaluator | undefined;
  let note = 'default checklist evaluated';
  try {
    evaluator = new UseEvaluator({ checklist: await loadChecklist([]) });
  } catch (err) {
    note = `no USE matrix: the default checklist did not load (${(err as Error).message.split('\n')[0]})`;
  }
  const engine = new Engine({ root: '/', intervalMs: 1000, evaluator });
  const frames: Frame[] = [];
  try {
    for (let i = 0; i < count + 2; i++) {
      const frame = await engine.tick();
      if (i >= 2) frames.push(frame); // the first frames have no rates yet
      await sleep(100);
    }
  } finally {
    engine.close();
  }
  return { frames, note };
}
