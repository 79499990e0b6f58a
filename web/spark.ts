import type { Series } from './series.js';

/** The size canvas.spark has in the stylesheet: given here so that drawing never waits for a layout. */
const WIDTH = 64;
const HEIGHT = 16;

/** A stretch of samples with the same height, from x0 to x1 in whole pixels; `from` is true where the pen comes down. */
export interface SparkRun {
  x0: number;
  x1: number;
  y: number;
  from: boolean;
}

export interface SparkOptions {
  toS: number;
  windowS: number;
  fixedMax?: number;
}

/**
 * The picture of a sparkline: the samples placed on whole pixels across and half pixels up, and
 * the neighbours at the same height merged into one run. A level that holds for the whole window
 * is one run however the window slides, so its picture stays the same from one frame to the next.
 */
export function sparkRuns(series: Series, opts: SparkOptions): SparkRun[] {
  let max = opts.fixedMax ?? 0;
  if (opts.fixedMax === undefined) for (const v of series.values) if (v !== null && v > max) max = v;
  const fromS = opts.toS - opts.windowS;
  const runs: SparkRun[] = [];
  let pen = false;
  for (let i = 0; i < series.ts.length; i++) {
    const v = series.values[i];
    if (v === null) {
      pen = false;
      continue;
    }
    const x = Math.round(((series.ts[i] - fromS) / opts.windowS) * (WIDTH - 1));
    const level = max > 0 ? Math.min(1, Math.max(0, v / max)) : 0;
    const y = Math.round((HEIGHT - 1 - level * (HEIGHT - 2)) * 2) / 2;
    const last = runs.at(-1);
    if (pen && last && last.y === y) last.x1 = x;
    else runs.push({ x0: x, x1: x, y, from: !pen });
    pen = true;
  }
  return runs;
}

/** What a canvas shows, as text: drawing it again with the same text would change no pixel. */
function pictureKey(runs: readonly SparkRun[], ink: string): string {
  let key = ink;
  for (const r of runs) key += `${r.from ? '|' : ' '}${r.x0},${r.x1},${r.y}`;
  return key;
}

const shown = new WeakMap<HTMLCanvasElement, string>();

/**
 * A cell's last minute as a line on a small canvas, in `ink` (the cell's status colour), over a
 * faint bar under each sample so that a low line still reads as a level. A null value (no sample,
 * a gap in the frames) lifts the pen, so a gap shows. A canvas is drawn only when its picture
 * changed: most cells hold one level for minutes, and a canvas drawn again is a new image for the
 * browser to hand to its compositor.
 */
export function drawSparkline(canvas: HTMLCanvasElement, series: Series, opts: SparkOptions & { ink: string }): void {
  const runs = sparkRuns(series, opts);
  const ratio = window.devicePixelRatio || 1;
  const key = `${ratio}${pictureKey(runs, opts.ink)}`;
  if (shown.get(canvas) === key) return;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  shown.set(canvas, key);
  if (canvas.width !== Math.round(WIDTH * ratio)) canvas.width = Math.round(WIDTH * ratio);
  if (canvas.height !== Math.round(HEIGHT * ratio)) canvas.height = Math.round(HEIGHT * ratio);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, WIDTH, HEIGHT);
  const bar = Math.max(1, WIDTH / opts.windowS);
  ctx.fillStyle = opts.ink;
  ctx.globalAlpha = 0.3;
  for (const r of runs) ctx.fillRect(r.x0 - bar / 2, r.y, r.x1 - r.x0 + bar, HEIGHT - r.y);
  ctx.globalAlpha = 1;
  ctx.strokeStyle = opts.ink;
  ctx.lineWidth = 1.25;
  ctx.beginPath();
  for (const r of runs) {
    if (r.from) ctx.moveTo(r.x0, r.y);
    else ctx.lineTo(r.x0, r.y);
    if (r.x1 !== r.x0) ctx.lineTo(r.x1, r.y);
  }
  ctx.stroke();
}
