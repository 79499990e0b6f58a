import type { Page } from 'puppeteer-core';

/**
 * The web section's breakdown of the page's main thread by trace event: a DevTools trace of a few
 * seconds, and the renderer main thread's CPU time (`tdur`, which the machine's load moves less
 * than wall time) by event, self time only (an event's own time less its children's), summed into
 * the browser's steps.
 */

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8',
  'v8.execute',
  'blink',
  'cc',
  'gpu',
  'toplevel',
];

/** Each step of the browser's frame, by the names of the trace events it is made of; the rest is `tasks`. */
const STEPS: readonly [string, RegExp][] = [
  ['script', /^(FunctionCall|EvaluateScript|FireAnimationFrame|EventDispatch|v8\.callFunction|V8\.(?!GC).*)$/],
  ['gc', /^(MinorGC|MajorGC|V8\.GC.*)$/],
  ['style', /^(UpdateLayoutTree|Document::updateStyle|Document::recalcStyle|Document::rebuildLayoutTree)$/],
  ['layout', /^(Layout|LocalFrameView::performLayout|InlineNode::.*)$/],
  ['prepaint', /^(PrePaint|Blink\.PrePaint\.UpdateTime)$/],
  ['paint', /^(Paint|Blink\.Paint\.UpdateTime)$/],
  [
    'layerize',
    /^(Layerize|PaintArtifactCompositor::Update|Blink\.CompositingInputs\.UpdateTime|LayerTreeHost::DoUpdateLayers|UpdateLayer)$/,
  ],
  ['commit', /^(Commit|ProxyMain::BeginMainFrame::commit)$/],
  ['canvas', /^(Canvas2DResourceProvider::.*|CanvasResource::.*|CanvasRenderingContext2D::.*|ClientSharedImage::.*)$/],
];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** Milliseconds of main-thread CPU a second, in all and by step. */
export type MainThreadSteps = Record<string, number>;

export async function traceMainThread(page: Page, seconds: number): Promise<MainThreadSteps> {
  await page.tracing.start({ categories: CATEGORIES });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const bytes = await page.tracing.stop();
  if (!bytes) throw new Error('the DevTools trace came back empty');
  const trace = JSON.parse(Buffer.from(bytes).toString('utf8')) as { traceEvents: TraceEvent[] };
  return mainThreadSteps(trace.traceEvents, seconds);
}

/** The renderer main thread that ran the page's animation frames. */
function pageThread(events: readonly TraceEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events)
    if (e.name === 'FireAnimationFrame') counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const busiest = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (!busiest) throw new Error('the trace holds no animation frame of the page');
  return busiest[0];
}

export function mainThreadSteps(events: readonly TraceEvent[], seconds: number): MainThreadSteps {
  const thread = pageThread(events);
  const complete = events
    .filter((e) => e.ph === 'X' && e.dur !== undefined && `${e.pid}:${e.tid}` === thread)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const self = new Map<string, number>();
  const open: TraceEvent[] = [];
  let total = 0;
  for (const e of complete) {
    while (open.length > 0 && open[open.length - 1].ts + (open[open.length - 1].dur ?? 0) <= e.ts) open.pop();
    const parent = open.at(-1);
    const cpu = e.tdur ?? 0;
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - cpu);
    else total += cpu;
    self.set(e.name, (self.get(e.name) ?? 0) + cpu);
    open.push(e);
  }
  const perSecond = (us: number) => Math.round(us / 10 / seconds) / 100;
  const steps: MainThreadSteps = { total: perSecond(total) };
  let named = 0;
  for (const [step, pattern] of STEPS) {
    let us = 0;
    for (const [name, t] of self) if (pattern.test(name)) us += t;
    steps[step] = perSecond(us);
    named += us;
  }
  steps.tasks = perSecond(total - named);
  return steps;
}
