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

describe('/metrics rendered and compressed once per frame, the agent’s own series with it', () => {
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

  test('two scrapes of one frame get the same bytes, in both encodings', async () => {
    let clients = 1;
    const exporter = exporterOf(
      () => ticked,
      () => clients,
    );
    const gzip = (await exporter.render('gzip')).body;
    const plain = (await exporter.render('identity')).body;
    clients = 5;
    expect((await exporter.render('gzip')).body).toEqual(gzip);
    expect((await exporter.render('identity')).body).toEqual(plain);
    expect(value(plain.toString('utf8'), 'usewatch_feed_clients')).toBe(1);
  });

  test('gzip and identity bodies decode to the same exposition text', async () => {
    const exporter = exporterOf(
      () => ticked,
      () => 3,
    );
    const text = (await exporter.render()).body;
    const plain = await exporter.render('identity');
    const gzip = await exporter.render('gzip');
    expect(plain.contentEncoding).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(text);
    expect(gunzipSync(gzip.body).toString('utf8')).toBe(text);
    expect(text).toContain('node_cpu_seconds_total{cpu="0",mode="idle"}');
  });

  test('the agent’s own series move with the next frame, the frame’s part stays the same', async () => {
    let clients = 1;
    let latest = { ...ticked };
    const exporter = exporterOf(
      () => latest,
      () => clients,
    );
    const first = (await exporter.render()).body;
    clients = 5;
    latest = { ...ticked };
    const second = gunzipSync((await exporter.render('gzip')).body).toString('utf8');
    expect(value(first, 'usewatch_feed_clients')).toBe(1);
    expect(value(second, 'usewatch_feed_clients')).toBe(5);
    expect(value(first, 'usewatch_scrape_duration_seconds_count')).toBe(0);
    expect(value(second, 'usewatch_scrape_duration_seconds_count')).toBe(1);
    expect(value(second, 'process_cpu_seconds_total')).toBeGreaterThanOrEqual(
      value(first, 'process_cpu_seconds_total'),
    );
    const framePart = (body: string) => body.slice(0, body.indexOf('# HELP usewatch_build_info'));
    expect(framePart(second)).toBe(framePart(first));
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

  test('before the first frame, each scrape answers with the agent’s own series as they are then', async () => {
    let clients = 0;
    const exporter = exporterOf(
      () => undefined,
      () => clients,
    );
    const body = gunzipSync((await exporter.render('gzip')).body).toString('utf8');
    expect(value(body, 'usewatch_build_info')).toBe(1);
    expect(value(body, 'process_open_fds')).toBe(7);
    expect(value(body, 'usewatch_feed_clients')).toBe(0);
    expect(find(parseExposition(body).samples, 'node_cpu_seconds_total')).toHaveLength(0);
    clients = 2;
    expect(value((await exporter.render()).body, 'usewatch_feed_clients')).toBe(2);
  });
});

describe('a body made as its frame is published, while scrapes keep pace with the ticks', () => {
  /** Frames numbered from 1, each counting its reads, published one by one. */
  function publishing() {
    let clients = 1;
    const frames: ReturnType<typeof counting>[] = [];
    const exporter = exporterOf(
      () => frames.at(-1)?.frame,
      () => clients,
    );
    return {
      exporter,
      setClients: (n: number) => {
        clients = n;
      },
      publish: () => {
        frames.push(counting({ ...ticked, seq: frames.length + 1 }));
        exporter.framePublished();
        return frames.at(-1)!;
      },
    };
  }

  test('after two frames scraped in a row, the next is rendered at publish, not at its scrape', async () => {
    const { exporter, publish, setClients } = publishing();
    publish();
    await exporter.render('gzip');
    publish();
    await exporter.render('gzip');
    const third = publish();
    const atPublish = third.reads();
    expect(atPublish).toBeGreaterThan(0);
    setClients(5);
    const body = gunzipSync((await exporter.render('gzip')).body).toString('utf8');
    expect(third.reads()).toBe(atPublish);
    expect(value(body, 'usewatch_feed_clients')).toBe(1);
    expect(body).toBe((await exporter.render()).body);
    expect(body).toContain('node_cpu_seconds_total{cpu="0",mode="idle"}');
  });

  test('a scraper slower than the ticks gets its body made at its scrape, none made for it ahead', async () => {
    const { exporter, publish, setClients } = publishing();
    publish();
    await exporter.render('gzip');
    publish();
    const third = publish();
    expect(third.reads()).toBe(0);
    setClients(5);
    const body = gunzipSync((await exporter.render('gzip')).body).toString('utf8');
    expect(third.reads()).toBeGreaterThan(0);
    expect(value(body, 'usewatch_feed_clients')).toBe(5);
  });

  test('one frame left unscraped stops it until two frames in a row are scraped again', async () => {
    const { exporter, publish } = publishing();
    publish();
    await exporter.render();
    publish();
    await exporter.render();
    expect(publish().reads()).toBeGreaterThan(0);
    expect(publish().reads()).toBe(0);
    await exporter.render();
    expect(publish().reads()).toBe(0);
    await exporter.render();
    expect(publish().reads()).toBeGreaterThan(0);
  });
});
