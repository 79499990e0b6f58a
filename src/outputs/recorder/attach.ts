import type { FrameBus } from '../../pipeline/bus.js';
import { createRecorder, type RecorderOptions, type RecorderStats } from './recorder.js';

export interface AttachedRecorder {
  /** Unsubscribes from the bus, writes what is queued and closes the segment; never throws. */
  close(): Promise<void>;
  stats(): RecorderStats;
}

/** `usewatch agent --record DIR`: every frame published on the bus goes to the recorder. */
export function attachRecorder(bus: FrameBus, opts: RecorderOptions): AttachedRecorder {
  const recorder = createRecorder(opts);
  const unsubscribe = bus.subscribe((frame) => recorder.write(frame));
  return {
    close: async () => {
      unsubscribe();
      await recorder.close();
    },
    stats: () => recorder.stats(),
  };
}
