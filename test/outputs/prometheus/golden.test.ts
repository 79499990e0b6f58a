import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ProcFs } from '../../../collectors/procfs.js';
import { loadChecklist } from '../../../src/checklist/load.js';
import type { Frame } from '../../../src/model/frame.js';
import { createPrometheusExporter } from '../../../src/outputs/prometheus/exporter.js';
import { Engine } from '../../../src/pipeline/engine.js';
import { countOpenFds } from '../../../src/self/open-fds.js';
import { UseEvaluator } from '../../../src/use/evaluator.js';

/**
 * The whole /metrics exposition of a fixture host, byte for byte, as node_exporter's end-to-end test
 * does: a fixture root goes in (test/fixtures/host, then the counters one second later from
 * test/fixtures/golden/later), the exact text comes out and is diffed against
 * test/fixtures/golden/metrics.txt. Any change of a name, label, order, help text or value shows here.
 * Set UPDATE_GOLDEN=1 to rewrite the file after an intended change, then review its diff.
 */
const GOLDEN = new URL('../../fixtures/golden/metrics.txt', import.meta.url).pathname;
const HOST = new URL('../../fixtures/host/', import.meta.url).pathname;
const LATER = new URL('../../fixtures/golden/later/', import.meta.url).pathname;
const LATER_FILES = ['proc/stat', 'proc/diskstats', 'proc/net/dev'];

/** The agent's own process figures and the scrape timing differ on every run: their values are masked. */
const VOLATILE = /^(process_|nodejs_|usewatch_scrape_duration_seconds)/;

const T0 = 1_796_000_000_000;
const PINNED_STATFS = {
  type: 0xef53,
  bsize: 4096,
  blocks: 66_053_021,
  bfree: 59_851_939,
  bavail: 20_395_669,
  files: 16_777_216,
  ffree: 16_301_427,
} as Awaited<ReturnType<ProcFs['statfs']>>;

let root: string;
let frame: Frame;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'usewatch-golden-'));
  cpSync(HOST, root, { recursive: true });
  // One clock for the whole run: timestamps, intervals and tick durations come out the same each time.
  let wall = T0;
  let mono = 50_000;
  const dateNow = vi.spyOn(Date, 'now').mockImplementation(() => wall);
  const perfNow = vi.spyOn(performance, 'now').mockImplementation(() => mono);
  // statfs asks the live filesystem under the fixture root: its answer is pinned to one ext4 volume.
  const statfs = vi.spyOn(ProcFs.prototype, 'statfs').mockResolvedValue(PINNED_STATFS);
  try {
    const checklist = await loadChecklist();
    const engine = new Engine({ root, intervalMs: 1000, evaluator: new UseEvaluator({ checklist }) });
    await engine.tick();
    for (const rel of LATER_FILES) copyFileSync(join(LATER, rel), join(root, rel));
    wall += 1000;
    mono += 1000;
    const ticked = await engine.tick();
    engine.close();
    frame = {
      ...ticked,
      host: { ...ticked.host, hostname: 'golden-host' },
      self: { ...ticked.self, tickCpuMs: 1.5, rssBytes: 50_000_000 },
    };
  } finally {
    dateNow.mockRestore();
    perfNow.mockRestore();
    statfs.mockRestore();
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function maskVolatile(text: string): string {
  return text
    .split('\n')
    .map((line) => (VOLATILE.test(line) ? line.replace(/ \S+$/, ' <volatile>') : line))
    .join('\n');
}

describe('the /metrics exposition of a fixture host', () => {
  test('matches test/fixtures/golden/metrics.txt byte for byte', async () => {
    const exporter = createPrometheusExporter({
      openFds: countOpenFds,
      latest: () => frame,
      version: '0.0.0-golden',
      topProcesses: 3,
      runtime: {
        feed: () => ({ clients: 2, droppedFrames: 7 }),
        http: () => ({ rejectedConnections: 1, clientErrors: 3, unauthorized: 4 }),
      },
    });
    const { contentType, body } = await exporter.render();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = maskVolatile(body);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
