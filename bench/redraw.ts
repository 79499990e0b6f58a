import type { Frame } from '../src/model/frame.js';
import { TopController } from '../src/tui/app.js';
import { renderScreen } from '../src/tui/view/screen.js';
import { LineDiffWriter } from '../src/tui/writer.js';

export interface RedrawCost {
  /** CPU (user + system) per redraw: render the screen, diff it, write the changes. */
  cpuMsPerRedraw: number;
  /** Characters sent to the terminal per redraw. */
  bytesPerRedraw: number;
  redraws: number;
}

/**
 * What one screen update costs, for `npm run bench`: feeds `frames` in turn (cycling) into the view
 * as a live source would, and renders each into a counting stream of cols × rows with colour and
 * UTF-8 on. The first 20 redraws warm up and are not counted.
 */
export function measureRedraw(frames: readonly Frame[], cols = 120, rows = 40, n = 300): RedrawCost {
  if (frames.length === 0) throw new Error('measureRedraw needs at least one frame');
  const controller = new TopController({ kind: 'local', label: 'local' }, frames[0].intervalMs || 1000);
  let bytes = 0;
  const writer = new LineDiffWriter({ write: (s: string) => (bytes += s.length) });
  const opts = { cols, rows, color: true, unicode: true };
  const warmup = 20;
  let start = process.cpuUsage();
  let startBytes = 0;
  for (let i = 0; i < warmup + n; i++) {
    if (i === warmup) {
      start = process.cpuUsage();
      startBytes = bytes;
    }
    const f = frames[i % frames.length];
    // Successive frames must look new to the diff, as live ones do.
    controller.onFrame({ ...f, seq: i, ts: f.ts + i * (f.intervalMs || 1000) });
    writer.draw(renderScreen(controller.model(), opts));
  }
  const used = process.cpuUsage(start);
  return { cpuMsPerRedraw: (used.user + used.system) / 1000 / n, bytesPerRedraw: (bytes - startBytes) / n, redraws: n };
}
