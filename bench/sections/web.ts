import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type CDPSession, type Page } from 'puppeteer-core';
import { freePort } from '../free-port.js';
import { median, percentile, round } from '../stats.js';
import { aboveFloor, FLOOR_HTML, FLOOR_PATH } from '../web-floor.js';
import { type MainThreadSteps, traceMainThread } from '../web-trace.js';
import { AGENT_BIN, stop, waitUp } from './scrape.js';

/**
 * The web live view's cost in the browser: the built agent on a loopback port, its page in Debian's
 * headless chromium (driven by puppeteer-core, nothing downloaded), and the main thread's time for
 * each frame at 1 Hz, read from the DevTools protocol's Performance metrics in one-second windows
 * that each hold one frame; then the page's memory growth, garbage collected before each reading.
 * With USEWATCH_BENCH_WEB_BASELINE (another build's dist folder), that build's agent and page run
 * in a second browser over the same window, for a side-by-side comparison. After the window, a
 * DevTools trace of each page gives the main thread's CPU time by step of the browser's frame,
 * beside the same trace of the floor (bench/web-floor.ts), a minimal page on this build's agent in
 * a browser of its own: what any page showing the feed's seconds costs in this browser.
 */

const CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1400, height: 900 };

interface WebBenchOptions {
  /** Length of the measured window, in seconds (600 for the ten-minute soak). */
  seconds: number;
  /** Seconds between the grid's appearance and the first reading: the page's code is compiled and warm. */
  warmupS: number;
  /** Length of the DevTools trace after the window, in seconds. */
  traceS: number;
  /** The dist folder of a build to measure beside this one. */
  baseline?: string;
}

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw}: expected a number of seconds above 0`);
  return value;
}

function webBenchOptions(): WebBenchOptions {
  const baseline = process.env.USEWATCH_BENCH_WEB_BASELINE || undefined;
  if (baseline !== undefined && !existsSync(join(baseline, 'bin', 'usewatch.js')))
    throw new Error(`USEWATCH_BENCH_WEB_BASELINE=${baseline}: no bin/usewatch.js in it (a built dist folder)`);
  return {
    seconds: seconds('USEWATCH_BENCH_WEB_SECONDS', 60),
    warmupS: seconds('USEWATCH_BENCH_WEB_WARMUP', 15),
    traceS: seconds('USEWATCH_BENCH_WEB_TRACE', 20),
    baseline,
  };
}

/** One agent, the browser showing its page, and the page's DevTools session. */
interface Subject {
  name: string;
  origin: string;
  agent: ChildProcess;
  browser: Browser;
  page: Page;
  cdp: CDPSession;
}

async function openBrowser(...flags: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage', ...flags],
  });
  const page = await browser.newPage();
  await page.setViewport(VIEWPORT);
  return { browser, page };
}

async function startSubject(name: string, agentBin: string): Promise<Subject> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const agent = spawn(process.execPath, [agentBin, 'agent', '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  await waitUp(`${origin}/healthz`, agent);
  const { browser, page } = await openBrowser();
  const cdp = await page.createCDPSession();
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.enable');
  await page.goto(`${origin}/`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#grid tbody tr', { timeout: 20_000 });
  return { name, origin, agent, browser, page, cdp };
}

async function stopSubject(s: Subject): Promise<void> {
  await s.browser.close();
  await stop(s.agent);
}

/** The floor page on the origin of `of`'s agent, served by the browser's request interception. */
async function startFloor(of: Subject): Promise<{ browser: Browser; page: Page }> {
  // A response made by interception has no address, so chromium takes the page for a public one and
  // blocks its WebSocket to loopback; the check is off for this browser only.
  const floor = await openBrowser('--disable-features=LocalNetworkAccessChecks');
  await floor.page.setRequestInterception(true);
  floor.page.on('request', (request) => {
    if (request.url() === `${of.origin}${FLOOR_PATH}`)
      void request.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: FLOOR_HTML });
    else void request.continue();
  });
  await floor.page.goto(`${of.origin}${FLOOR_PATH}`, { waitUntil: 'domcontentloaded' });
  // The first message has come and been shown.
  await floor.page.waitForFunction("document.getElementById('clock').textContent !== '-'", { timeout: 20_000 });
  return floor;
}

type Metrics = Record<string, number>;

async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/** Main-thread milliseconds in one window, by kind; `other` is paint, compositing, GC and message handling. */
interface Window {
  main: number;
  script: number;
  style: number;
  layout: number;
}

function windowOf(a: Metrics, b: Metrics): Window {
  const ms = (name: string) => (b[name] - a[name]) * 1000;
  // The reading itself is a DevTools command on the same thread: it is not the page's cost.
  return {
    main: ms('TaskDuration') - ms('DevToolsCommandDuration'),
    script: ms('ScriptDuration'),
    style: ms('RecalcStyleDuration'),
    layout: ms('LayoutDuration'),
  };
}

/** Wall-clock time of the page's latest redraw, to read between frames rather than across one. */
function lastDrawAt(page: Page): Promise<number> {
  return page.evaluate(() => {
    const draws = performance.getEntriesByName('usewatch draw');
    return performance.timeOrigin + (draws.at(-1)?.startTime ?? performance.now());
  });
}

const sleepUntil = (wallMs: number) => new Promise((r) => setTimeout(r, Math.max(0, wallMs - Date.now())));

/**
 * One reading per second, half an interval after the frames arrive (the agents tick on the same
 * aligned schedule), so that each window between two readings holds exactly one frame.
 */
async function perFrameWindows(
  subjects: Subject[],
  windowS: number,
  everyMinute: (minute: number) => Promise<void>,
): Promise<Window[][]> {
  const phase = ((await lastDrawAt(subjects[0].page)) + 500) % 1000;
  let at = Date.now() - (Date.now() % 1000) + phase + 1000;
  await sleepUntil(at);
  let previous = await Promise.all(subjects.map((s) => metrics(s.cdp)));
  const windows: Window[][] = subjects.map(() => []);
  for (let i = 0; i < windowS; i++) {
    at += 1000;
    await sleepUntil(at);
    const current = await Promise.all(subjects.map((s) => metrics(s.cdp)));
    for (const [j, m] of current.entries()) windows[j].push(windowOf(previous[j], m));
    previous = current;
    if ((i + 1) % 60 === 0 && i + 1 < windowS) await everyMinute((i + 1) / 60);
  }
  return windows;
}

/** The page's memory after a full garbage collection, in MB, and the frames it holds then. */
interface MemoryReading {
  jsHeap: number;
  /** JS heap, Blink's DOM heap, and array buffers and external strings. */
  total: number;
  held: number;
}

async function memory(s: Subject): Promise<MemoryReading> {
  await s.cdp.send('HeapProfiler.collectGarbage');
  const u = await s.cdp.send('Runtime.getHeapUsage');
  const held = await s.page.$eval('#scrub-label', (el) => Number(/of (\d+) held/.exec(el.textContent ?? '')?.[1] ?? 0));
  const mb = (bytes: number) => bytes / 1024 / 1024;
  return {
    jsHeap: mb(u.usedSize),
    total: mb(u.usedSize + (u.embedderHeapUsedSize ?? 0) + (u.backingStorageSize ?? 0)),
    held,
  };
}

/** The draws the page timed itself (`usewatch draw`) over the window: script only, as the page sees it. */
function drawDurations(page: Page, sinceWallMs: number): Promise<number[]> {
  return page.evaluate(
    (since) =>
      performance
        .getEntriesByName('usewatch draw')
        .filter((e) => performance.timeOrigin + e.startTime >= since)
        .map((e) => e.duration),
    sinceWallMs,
  );
}

function printFrames(s: Subject, windows: Window[], draws: number[], results: Record<string, number>): void {
  const pick = (k: keyof Window) => windows.map((w) => w[k]);
  const main = pick('main');
  const key = keyOf(s);
  const med = (k: keyof Window) => round(median(pick(k)), 2);
  console.log(
    `  ${s.name}: main thread per frame median ${round(median(main), 2)} ms, p95 ${round(percentile(main, 95), 2)} ms ` +
      `(script ${med('script')}, style ${med('style')}, layout ${med('layout')}, other ${round(median(main) - med('script') - med('style') - med('layout'), 2)}; ` +
      `${windows.length} frames); redraw median ${round(median(draws), 2)} ms (budget 2 ms a frame)`,
  );
  results[`${key}_main_ms_per_frame_p50`] = round(median(main), 2);
  results[`${key}_main_ms_per_frame_p95`] = round(percentile(main, 95), 2);
  results[`${key}_script_ms_per_frame_p50`] = med('script');
  results[`${key}_draw_ms_p50`] = round(median(draws), 2);
}

/** The traced main-thread CPU a second (one frame a second), by step of the browser's frame. */
function printSteps(name: string, key: string, steps: MainThreadSteps, results: Record<string, number>): void {
  const { total, ...byStep } = steps;
  const parts = Object.entries(byStep).map(([step, ms]) => `${step} ${ms}`);
  console.log(`  ${name}: traced main-thread CPU ${total} ms a second (${parts.join(', ')})`);
  results[`${key}_traced_cpu_ms_per_s`] = total;
  for (const [step, ms] of Object.entries(byStep)) results[`${key}_traced_${step}_ms_per_s`] = ms;
}

function printMemory(s: Subject, a: MemoryReading, b: MemoryReading, results: Record<string, number>): void {
  const key = keyOf(s);
  const grown = b.total - a.total;
  const perFrame = b.held > a.held ? ((grown * 1024) / (b.held - a.held)).toFixed(1) : '-';
  console.log(
    `  ${s.name}: memory ${round(a.total, 2)} → ${round(b.total, 2)} MB (+${round(grown, 2)} MB; JS heap ` +
      `${round(a.jsHeap, 2)} → ${round(b.jsHeap, 2)} MB) while the frames held went ${a.held} → ${b.held} ` +
      `(${perFrame} KB a frame held; budget +5 MB over 10 min)`,
  );
  results[`${key}_memory_growth_mb`] = round(grown, 2);
  results[`${key}_js_heap_growth_mb`] = round(b.jsHeap - a.jsHeap, 2);
  if (b.held > a.held) results[`${key}_kb_per_frame_held`] = round((grown * 1024) / (b.held - a.held), 1);
}

export async function runWebBench(): Promise<Record<string, number>> {
  console.log('web: the live view in headless chromium, main-thread time per frame at 1 Hz and memory growth');
  if (!existsSync(CHROMIUM)) {
    console.log(`  skipped: no ${CHROMIUM} (Debian: apt-get install chromium)`);
    return {};
  }
  const opts = webBenchOptions();
  const subjects: Subject[] = [];
  let floor: { browser: Browser; page: Page } | undefined;
  const results: Record<string, number> = {};
  try {
    subjects.push(await startSubject('this build', AGENT_BIN));
    if (opts.baseline) subjects.push(await startSubject('baseline', join(opts.baseline, 'bin', 'usewatch.js')));
    floor = await startFloor(subjects[0]);
    await new Promise((r) => setTimeout(r, opts.warmupS * 1000));
    const before = await Promise.all(subjects.map(memory));
    const start = Date.now();
    // A long run (the ten-minute soak) prints the memory each minute: growth while the ring fills, then none.
    const windows = await perFrameWindows(subjects, opts.seconds, async (minute) => {
      const now = await Promise.all(subjects.map(memory));
      const line = now.map((m, i) => `${subjects[i].name} +${round(m.total - before[i].total, 2)} MB (${m.held} held)`);
      console.log(`  minute ${minute}: ${line.join(', ')}, load ${loadAverage()}`);
    });
    const after = await Promise.all(subjects.map(memory));
    console.log(`  ${opts.seconds} s window, load average ${loadAverage()} at the end`);
    for (const [i, s] of subjects.entries()) {
      printFrames(s, windows[i], await drawDurations(s.page, start), results);
      printMemory(s, before[i], after[i], results);
    }
    const pages = [...subjects.map((s) => s.page), floor.page];
    const traced = await Promise.all(pages.map((page) => traceMainThread(page, opts.traceS)));
    const floorSteps = traced[subjects.length];
    console.log(`  ${opts.traceS} s trace, load average ${loadAverage()} at the end`);
    for (const [i, s] of subjects.entries()) printSteps(s.name, keyOf(s), traced[i], results);
    printSteps('floor (a page that keeps each message and changes one text)', 'web_floor', floorSteps, results);
    printSteps('this build above the floor', 'web_above_floor', aboveFloor(traced[0], floorSteps), results);
  } finally {
    await floor?.browser.close();
    await Promise.all(subjects.map(stopSubject));
  }
  return results;
}

/** The results' prefix of a subject's figures. */
function keyOf(s: Subject): string {
  return s.name === 'this build' ? 'web' : 'web_baseline';
}

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
