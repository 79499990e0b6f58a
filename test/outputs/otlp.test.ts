import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/model/frame.js';
import { startOtlpExport } from '../../src/outputs/otlp/exporter.js';
import { Engine } from '../../src/pipeline/engine.js';
import { scheduleTicks } from '../../src/pipeline/live.js';

interface OtlpNumberPoint {
  asDouble?: number;
  asInt?: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}
interface OtlpMetric {
  name: string;
  unit: string;
  sum?: { dataPoints: OtlpNumberPoint[]; isMonotonic?: boolean };
  gauge?: { dataPoints: OtlpNumberPoint[] };
}
interface OtlpRequest {
  resourceMetrics: { resource: { attributes: { key: string }[] }; scopeMetrics: { metrics: OtlpMetric[] }[] }[];
}

/** A minimal OTLP/HTTP JSON receiver on loopback. */
let server: Server;
let url: string;
const requests: OtlpRequest[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/metrics' && req.headers['x-tenant'] === 'ops') {
        requests.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function liveFrame(): Promise<Frame> {
  const engine = new Engine({ root: '/' });
  await engine.tick();
  await new Promise((r) => setTimeout(r, 200));
  const frame = await engine.tick();
  engine.close();
  return frame;
}

function attr(p: OtlpNumberPoint, key: string): unknown {
  const v = p.attributes?.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
}

function value(p: OtlpNumberPoint): number {
  return p.asDouble ?? Number(p.asInt);
}

describe('OTLP export', () => {
  it('exports host metrics under the hostmetrics semantic names, with units, attributes and values', async () => {
    const frame = await liveFrame();
    const exporter = await startOtlpExport({
      endpoint: url,
      protocol: 'http/json',
      headers: { 'x-tenant': 'ops' },
      intervalMs: 60_000,
      latest: () => frame,
    });
    await exporter.shutdown(); // flushes one export
    expect(requests.length).toBeGreaterThanOrEqual(1);
    const metrics = new Map(
      requests[0].resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)).map((m) => [m.name, m]),
    );
    const cpuTime = metrics.get('system.cpu.time')!;
    expect(cpuTime.unit).toBe('s');
    expect(cpuTime.sum?.isMonotonic).toBe(true);
    const modes = new Set(cpuTime.sum!.dataPoints.map((p) => attr(p, 'cpu.mode')));
    expect([...modes]).toEqual(expect.arrayContaining(['user', 'system', 'idle', 'iowait', 'steal']));
    const idle0 = cpuTime.sum!.dataPoints.find(
      (p) => attr(p, 'cpu.mode') === 'idle' && attr(p, 'cpu.logical_number') === 0,
    )!;
    const cpu0 = frame.counters?.cpus?.find((c) => c.logical === 0);
    expect(value(idle0)).toBeCloseTo(cpu0!.idle, 2);

    const memory = metrics.get('system.memory.usage')!;
    expect(memory.unit).toBe('By');
    const used = memory.sum!.dataPoints.find((p) => attr(p, 'system.memory.state') === 'used')!;
    expect(value(used)).toBe(frame.metrics['memory.used_bytes']['']);

    for (const name of [
      'system.cpu.load_average.1m',
      'system.disk.io',
      'system.network.io',
      'system.filesystem.usage',
    ]) {
      expect(metrics.has(name), name).toBe(true);
    }
    expect(
      metrics.get('system.network.io')!.sum!.dataPoints.some((p) => attr(p, 'network.io.direction') === 'receive'),
    ).toBe(true);
    const resourceKeys = requests[0].resourceMetrics[0].resource.attributes.map((a) => a.key);
    expect(resourceKeys).toEqual(expect.arrayContaining(['service.name', 'host.name']));
    expect(exporter.stats().exports).toBeGreaterThanOrEqual(1);
  });

  it('an unreachable collector leaves ticks on time and counts failed exports', async () => {
    let latest: Frame | undefined;
    const exporter = await startOtlpExport({
      endpoint: 'http://127.0.0.1:9/v1/metrics', // discard port: nothing listens
      protocol: 'http/json',
      headers: {},
      intervalMs: 100,
      timeoutMs: 80,
      latest: () => latest,
    });
    const engine = new Engine({ root: '/', intervalMs: 100 });
    const starts: number[] = [];
    for await (const frame of scheduleTicks(engine, { count: 15 })) {
      starts.push(performance.now());
      latest = frame;
    }
    engine.close();
    await exporter.shutdown().catch(() => undefined);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    expect(Math.max(...gaps)).toBeLessThan(250);
    const stats = exporter.stats();
    expect(stats.failures + stats.dropped).toBeGreaterThan(0);
    expect(stats.exports).toBe(0);
  });
});
