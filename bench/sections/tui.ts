import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TOP_V8_FLAGS } from '../../src/tui/footprint.js';
import type { RedrawCost } from '../redraw.js';
import { round } from '../stats.js';
import { peakRssInTmux } from '../tmux-rss.js';

const CLI = fileURLToPath(new URL('../../bin/usewatch.js', import.meta.url));
const FRAMES_MODULE = new URL('../frames.js', import.meta.url).href;
const REDRAW_MODULE = new URL('../redraw.js', import.meta.url).href;
const SESSION = 'usewatch-bench-top';

/** RSS of `usewatch top` on this host after `seconds`, run in a detached 120×40 tmux pane. */
function topRss(seconds: number): Promise<number | undefined> {
  return peakRssInTmux(SESSION, `exec env -u CI ${process.execPath} ${CLI} top`, seconds);
}

/**
 * Redraw cost at 120×40 in a node run with top's V8 settings (no optimising compiler), since that
 * is what `usewatch top` pays; this process keeps the defaults for the other sections.
 */
function redrawCost(): RedrawCost {
  const script = `
    const { captureFrames } = await import(${JSON.stringify(FRAMES_MODULE)});
    const { measureRedraw } = await import(${JSON.stringify(REDRAW_MODULE)});
    const { frames } = await captureFrames(20);
    console.log(JSON.stringify(measureRedraw(frames, 120, 40, 300)));`;
  const run = spawnSync(process.execPath, [...TOP_V8_FLAGS, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`redraw measurement failed: ${run.stderr.trim() || run.error}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as RedrawCost;
}

/** Redraw CPU per frame at 120×40 (budget ≤ 1 ms) and the peak RSS of `usewatch top` (budget ≤ 70 MB). */
export async function runTuiBench(): Promise<Record<string, number>> {
  const cost = redrawCost();
  const seconds = Number(process.env.USEWATCH_BENCH_TOP_SECONDS ?? 30);
  const rss = await topRss(seconds);
  console.log('top (terminal UI)');
  console.log(
    `  redraw 120×40 (top's V8 settings): ${round(cost.cpuMsPerRedraw, 3)} ms CPU, ${Math.round(cost.bytesPerRedraw)} B per frame (budget ≤ 1 ms)`,
  );
  console.log(
    rss === undefined
      ? '  RSS of usewatch top: not measured (tmux is not installed)'
      : `  peak RSS of usewatch top over ${seconds} s: ${round(rss, 1)} MB (budget ≤ 70 MB)`,
  );
  const out: Record<string, number> = {
    tui_redraw_cpu_ms: round(cost.cpuMsPerRedraw, 4),
    tui_redraw_bytes: Math.round(cost.bytesPerRedraw),
  };
  if (rss !== undefined) out.top_rss_mb = round(rss, 1);
  return out;
}
