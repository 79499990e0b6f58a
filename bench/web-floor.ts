import { FEED_SUBPROTOCOL } from '../src/feed/subprotocol.js';
import type { MainThreadSteps } from './web-trace.js';

/**
 * The floor beside the web page: a page that any live view of the feed would be at least, on the
 * same browser and the same messages. It opens /feed as the page does (the same backfill and
 * subprotocol; the bench's agent asks no token), keeps each message as UTF-8 in a ring of the page's
 * size, and after each message changes one text (a clock) in an animation frame. Nothing else: no
 * decoding, no grid. The bench serves it by DevTools request interception at FLOOR_PATH on the
 * agent's own origin, so the feed's Origin check passes without anything added to the agent.
 */

export const FLOOR_PATH = '/bench-floor';

/** The page's backfill in seconds and the frames it holds (web/resume.ts BACKFILL_S, web/frames.ts capacity). */
const BACKFILL_S = 300;
const HELD = 300;

const SCRIPT = `
const held = new Array(${HELD});
let next = 0;
const utf8 = new TextEncoder();
const clock = document.getElementById('clock').firstChild;
let drawn = true;
const ws = new WebSocket(\`ws://\${location.host}/feed?backfill=${BACKFILL_S}\`, [${JSON.stringify(FEED_SUBPROTOCOL)}]);
ws.onmessage = (e) => {
  held[next] = utf8.encode(e.data);
  next = (next + 1) % held.length;
  if (!drawn) return;
  drawn = false;
  requestAnimationFrame(() => {
    drawn = true;
    clock.data = new Date().toLocaleTimeString();
  });
};`;

/** The floor page: one text node and the script above. */
export const FLOOR_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>usewatch bench floor</title></head>
<body><p id="clock">-</p><script>${SCRIPT}</script></body></html>`;

/** What the page costs above the floor, step by step (both in ms a second, from `traceMainThread`). */
export function aboveFloor(page: MainThreadSteps, floor: MainThreadSteps): MainThreadSteps {
  const above: MainThreadSteps = {};
  for (const [step, ms] of Object.entries(page)) above[step] = Math.round((ms - (floor[step] ?? 0)) * 100) / 100;
  return above;
}
