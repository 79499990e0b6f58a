import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Frame } from '../../../src/model/frame.js';
import { createPrometheusExporter } from '../../../src/outputs/prometheus/exporter.js';
import { Engine } from '../../../src/pipeline/engine.js';
import { find, parseExposition } from './exposition.js';

let ticked: Frame;

beforeAll(async () => {
  const engine = new Engine({ root: 'test/fixtures/host', intervalMs: 1000 });
  await engine.tick();
  ticked = await engine.tick();
  engine.close();
});

/** A copy of the frame that counts how often its USE cells are read: once per render of its families. */
function counting(frame: Frame): { frame: Frame; reads: () => number } {
  let reads = 0;
  const copy = { ...frame };
  Object.defineProperty(copy, 'use', {
    get: () => {
      reads++;
      return frame.use;
    },
  });
  return { frame: copy, reads: () => reads };
}

function exporterOf(latest: () => Frame | undefined, clients: () => number) {
  return createPrometheusExporter({
    openFds: () => 7,
    latest,
    version: '1.0.0',
    runtime: { feed: () => ({ clients: clients(), droppedFrames: 0 }) },
  });
}

function value(body: string, name: string): number {
  const found = find(parseExposition(body).samples, name);
  expect(found, name).toHaveLength(1);
  return found[0].value;
}

describe('/metrics rendered once per frame, with the scrape-time series current on every scrape', () => {
  test('two scrapes of one frame read it once; a new frame is read again', async () => {
    const a = counting(ticked);
    let latest = a.frame;
    const exporter = exporterOf(
      () => latest,
      () => 1,
    );
    await exporter.render();
    const once = a.reads();
    expect(once).toBeGreaterThan(0);
    await exporter.render();
    await exporter.render('gzip');
    await exporter.render('gzip');
    expect(a.reads()).toBe(once);
    const b = counting(ticked);
    latest = b.frame;
    await exporter.render('gzip');
    expect(b.reads()).toBe(once);
  });

  test('the agent’s own series change between scrapes of one frame, in both encodings', async () => {
    let clients = 1;
    const exporter = exporterOf(
      () => ticked,
      () => clients,
    );
    const first = (await exporter.render()).body;
    clients = 5;
    const second = gunzipSync((await exporter.render('gzip')).body).toString('utf8');
    expect(value(first, 'usewatch_feed_clients')).toBe(1);
    expect(value(second, 'usewatch_feed_clients')).toBe(5);
    expect(value(first, 'usewatch_scrape_duration_seconds_count')).toBe(0);
    expect(value(second, 'usewatch_scrape_duration_seconds_count')).toBe(1);
    const framePart = (body: string) => body.slice(0, body.indexOf('# HELP usewatch_build_info'));
    expect(framePart(second)).toBe(framePart(first));
    expect(framePart(first)).toContain('node_cpu_seconds_total{cpu="0",mode="idle"}');
  });

  test('a gzip body is a single valid member, several times smaller than the text', async () => {
    const exporter = exporterOf(
      () => ticked,
      () => 0,
    );
    const gz = await exporter.render('gzip');
    expect(gz.contentEncoding).toBe('gzip');
    expect(gz.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = (await exporter.render()).body;
    expect(Buffer.isBuffer(gz.body)).toBe(true);
    expect((gz.body as Buffer).length).toBeLessThan(Buffer.byteLength(text) / 4);
    expect(parseExposition(gunzipSync(gz.body).toString('utf8')).types.get('node_uname_info')).toBe('gauge');
  });

  test('before the first frame, the scrape still answers with the agent’s own series', async () => {
    const exporter = exporterOf(
      () => undefined,
      () => 0,
    );
    const body = gunzipSync((await exporter.render('gzip')).body).toString('utf8');
    expect(value(body, 'usewatch_build_info')).toBe(1);
    expect(value(body, 'process_open_fds')).toBe(7);
    expect(find(parseExposition(body).samples, 'node_cpu_seconds_total')).toHaveLength(0);
  });
});
