import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import type { Frame } from '../../src/model/frame.js';
import { startOtlpExport } from '../../src/outputs/otlp/exporter.js';
import { type Observation, observeFrame } from '../../src/outputs/otlp/host-observations.js';
import { Engine } from '../../src/pipeline/engine.js';
import { scheduleTicks } from '../../src/pipeline/live.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { cgroupFrame } from './cgroup-frame.js';

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
      url,
      protocol: 'http/json',
      headers: { 'x-tenant': 'ops' },
      intervalMs: 60_000,
      timeoutMs: 10_000,
      compression: 'none',
      resource: {},
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
    const cpus = frame.counters?.cpus;
    expect(value(idle0)).toBeCloseTo(cpus!.seconds(cpus!.logical.indexOf(0), 'idle'), 2);

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

  it('exports carried cgroups as container.* metrics with their container and Kubernetes attributes', async () => {
    const before = requests.length;
    const exporter = await startOtlpExport({
      url,
      protocol: 'http/json',
      headers: { 'x-tenant': 'ops' },
      intervalMs: 60_000,
      timeoutMs: 10_000,
      compression: 'none',
      resource: {},
      latest: () => cgroupFrame(),
    });
    await exporter.shutdown();
    const metrics = new Map(
      requests
        .slice(before)
        .flatMap((r) => r.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)))
        .map((m) => [m.name, m]),
    );
    const workingSet = metrics.get('container.memory.working_set')!;
    expect(workingSet.unit).toBe('By');
    expect(workingSet.sum?.isMonotonic).toBe(false);
    const cart = workingSet.sum!.dataPoints.find((p) => attr(p, 'k8s.pod.name') === 'cart-7d9f')!;
    expect(value(cart)).toBe(350_000_000);
    expect(attr(cart, 'k8s.namespace.name')).toBe('shop');
    expect(metrics.get('container.cpu.time')?.sum?.isMonotonic).toBe(true);
    expect(metrics.get('container.cpu.usage')?.gauge?.dataPoints).toHaveLength(3);
  });

  it('an unreachable collector leaves ticks on time and counts failed exports', async () => {
    let latest: Frame | undefined;
    const exporter = await startOtlpExport({
      url: 'http://127.0.0.1:9/v1/metrics', // discard port: nothing listens
      protocol: 'http/json',
      headers: {},
      intervalMs: 100,
      timeoutMs: 80,
      compression: 'none',
      resource: {},
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

async function fixtureFrame(root: string): Promise<Frame> {
  const engine = new Engine({ root, evaluator: new UseEvaluator({ checklist: await loadChecklist() }) });
  try {
    return await engine.tick();
  } finally {
    engine.close();
  }
}

function observed(observations: Observation[], name: string, attributes: Record<string, string | number>): number {
  const found = observations.filter(
    (o) => o.name === name && Object.entries(attributes).every(([k, v]) => o.attributes[k] === v),
  );
  expect(found, `${name} ${JSON.stringify(attributes)}`).toHaveLength(1);
  return found[0].value;
}

describe('OTLP observations of a fixture host', () => {
  it('memory "used" on a kernel before 3.14 (no MemAvailable) agrees with the memory utilization USE cell', async () => {
    const frame = await fixtureFrame(new URL('../fixtures/old-kernel/', import.meta.url).pathname);
    const observations = observeFrame(frame);
    const state = { 'system.memory.state': 'used' };
    // MemTotal 1000000 kB − (MemFree 200000 + Buffers 50000 + Cached 150000 + SReclaimable 40000 kB)
    expect(observed(observations, 'system.memory.usage', state)).toBe(560_000 * 1024);
    const cell = frame.use.find((c) => c.resource === 'memory' && c.dimension === 'utilization');
    expect(cell?.metric).toBe('memory.utilization');
    expect(observed(observations, 'system.memory.utilization', state)).toBeCloseTo(cell!.value!, 6);
    expect(cell!.value).toBeCloseTo(0.56, 6);
  });

  it('exports /proc/stat ticks, diskstats sectors and milliseconds, and PSI microseconds in seconds and bytes', async () => {
    const frame = await fixtureFrame(new URL('../fixtures/host/', import.meta.url).pathname);
    const observations = observeFrame(frame);
    // cpu0 idle 46032 ticks at USER_HZ 100; cpu1 irq 0, softirq 40 ticks.
    expect(observed(observations, 'system.cpu.time', { 'cpu.logical_number': 0, 'cpu.mode': 'idle' })).toBe(460.32);
    expect(observed(observations, 'system.cpu.time', { 'cpu.logical_number': 1, 'cpu.mode': 'softirq' })).toBe(0.4);
    // vda: 1676106 sectors read of 512 bytes, 6006 ms reading, 3508 ms with I/O in flight.
    const read = { 'system.device': 'vda', 'disk.io.direction': 'read' };
    expect(observed(observations, 'system.disk.io', read)).toBe(1676106 * 512);
    expect(observed(observations, 'system.disk.operation_time', read)).toBeCloseTo(6.006, 9);
    expect(observed(observations, 'system.disk.io_time', { 'system.device': 'vda' })).toBeCloseTo(3.508, 9);
    // proc/pressure/io: full total=1834372 µs.
    const ioFull = { resource: 'io', level: 'full' };
    expect(observed(observations, 'system.linux.pressure.stall_time', ioFull)).toBeCloseTo(1.834372, 9);
  });
});
