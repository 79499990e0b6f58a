import { describe, expect, test } from 'vitest';
import { createPrometheusExporter } from '../../../src/outputs/prometheus/exporter.js';
import { Engine } from '../../../src/pipeline/engine.js';
import { countOpenFds } from '../../../src/self/open-fds.js';
import { find, parseExposition } from './exposition.js';

async function scrape(openFds: () => number | undefined) {
  const exporter = createPrometheusExporter({ latest: () => undefined, version: '1', openFds });
  const { body } = await exporter.render();
  return { body, samples: parseExposition(body).samples };
}

describe("the agent's own process_* series", () => {
  test('process_open_fds is the figure the agent passes in', async () => {
    const { samples } = await scrape(() => 42);
    expect(find(samples, 'process_open_fds').map((s) => s.value)).toEqual([42]);
  });

  test('without a figure (no /proc) the series is absent, its HELP and TYPE stay', async () => {
    const { body, samples } = await scrape(() => undefined);
    expect(find(samples, 'process_open_fds')).toEqual([]);
    expect(body).toContain('# TYPE process_open_fds gauge\n');
  });

  test("with the agent's counter, this process's descriptors are counted", async () => {
    const [fds] = find((await scrape(countOpenFds)).samples, 'process_open_fds');
    expect(fds.value).toBeGreaterThan(2);
  });

  test("process_resident_memory_bytes is the agent's RSS as of the latest frame, and read at the scrape before the first", async () => {
    const engine = new Engine({ root: 'test/fixtures/host', intervalMs: 1000 });
    const ticked = await engine.tick();
    engine.close();
    const frame = { ...ticked, self: { ...ticked.self, rssBytes: 12_345_678 } };
    const exporter = createPrometheusExporter({ latest: () => frame, version: '1', openFds: () => 3 });
    const { body } = await exporter.render();
    expect(find(parseExposition(body).samples, 'process_resident_memory_bytes').map((s) => s.value)).toEqual([
      12_345_678,
    ]);
    const [before] = find((await scrape(() => 3)).samples, 'process_resident_memory_bytes');
    expect(before.value).toBeGreaterThan(1_000_000);
  });
});
