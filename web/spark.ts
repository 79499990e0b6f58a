import type { Series } from './series.js';

/** The size canvas.spark has in the stylesheet: given here so that drawing never waits for a layout. */
const WIDTH = 64;
const HEIGHT = 16;

/**
 * A cell's last minute as a line on a small canvas, in `ink` (the cell's status colour). A null
 * value (no sample, a gap in the frames) lifts the pen, so a gap shows.
 */
export function drawSparkline(
  canvas: HTMLCanvasElement,
  series: Series,
  opts: { toS: number; windowS: number; fixedMax?: number; ink: string },
): void {
  const ratio = window.devicePixelRatio || 1;
  const width = WIDTH;
  const height = HEIGHT;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  let max = opts.fixedMax ?? 0;
  if (opts.fixedMax === undefined) for (const v of series.values) if (v !== null && v > max) max = v;
  const fromS = opts.toS - opts.windowS;
  const x = (t: number) => ((t - fromS) / opts.windowS) * (width - 1);
  const y = (v: number) => height - 1 - (max > 0 ? Math.min(1, Math.max(0, v / max)) : 0) * (height - 2);
  // A faint bar under each sample, so that a low line still reads as a level against the cell.
  const bar = Math.max(1, width / opts.windowS);
  ctx.fillStyle = opts.ink;
  ctx.globalAlpha = 0.3;
  for (let i = 0; i < series.ts.length; i++) {
    const v = series.values[i];
    if (v !== null) ctx.fillRect(x(series.ts[i]) - bar / 2, y(v), bar, height - y(v));
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = opts.ink;
  ctx.lineWidth = 1.25;
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < series.ts.length; i++) {
    const v = series.values[i];
    if (v === null) {
      pen = false;
      continue;
    }
    if (pen) ctx.lineTo(x(series.ts[i]), y(v));
    else ctx.moveTo(x(series.ts[i]), y(v));
    pen = true;
  }
  ctx.stroke();
}
