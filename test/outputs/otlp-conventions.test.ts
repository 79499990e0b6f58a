import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOtlpExport } from '../../src/config/otel-env.js';
import type { Frame } from '../../src/model/frame.js';
import { startOtlpExport } from '../../src/outputs/otlp/exporter.js';
import { Engine } from '../../src/pipeline/engine.js';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A loopback OTLP/HTTP receiver that keeps every request as it came. */
let server: Server;
let base: string;
const received: Received[] = [];
let frame: Frame;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const engine = new Engine({ root: 'test/fixtures/host' });
  await engine.tick();
  frame = await engine.tick();
  engine.close();
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function exportOnce(env: NodeJS.ProcessEnv, otlp: Parameters<typeof resolveOtlpExport>[0]) {
  const problems: string[] = [];
  const settings = resolveOtlpExport(otlp, env, problems);
  expect(problems).toEqual([]);
  received.length = 0;
  const exporter = await startOtlpExport({ ...settings!, intervalMs: 60_000, latest: () => frame });
  await exporter.shutdown(); // one export, flushed
  expect(received).toHaveLength(1);
  return received[0];
}

function resourceAttributes(json: string): Record<string, string> {
  const request = JSON.parse(json) as {
    resourceMetrics: { resource: { attributes: { key: string; value: { stringValue: string } }[] } }[];
  };
  return Object.fromEntries(request.resourceMetrics[0].resource.attributes.map((a) => [a.key, a.value.stringValue]));
}

describe('OTLP by OpenTelemetry’s conventions, against a local receiver', () => {
  it('a base URL from OTEL_EXPORTER_OTLP_ENDPOINT posts to /v1/metrics, with the OTEL_* headers, compression and resource under usewatch’s own', async () => {
    const got = await exportOnce(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: base,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=from-env,authorization=Bearer%20abc',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,host.name=not-this-one',
      },
      { headers: { 'x-tenant': 'ops' } },
    );
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/v1/metrics');
    expect(got.headers['content-encoding']).toBe('gzip');
    expect(got.headers['x-tenant']).toBe('ops');
    expect(got.headers.authorization).toBe('Bearer abc');
    const json = gunzipSync(got.body).toString('utf8');
    expect(json).toContain('system.cpu.time');
    const resource = resourceAttributes(json);
    expect(resource['deployment.environment']).toBe('prod');
    expect(resource['service.name']).toBe('usewatch');
    expect(resource['host.name']).not.toBe('not-this-one');
  });

  it('--otlp-endpoint http://collector:4318 is a base URL too, and its protocol and compression win', async () => {
    const got = await exportOnce(
      { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${base}/elsewhere` },
      { endpoint: base, protocol: 'http/json', compression: 'none', headers: {} },
    );
    expect(got.path).toBe('/v1/metrics');
    expect(got.headers['content-encoding']).toBeUndefined();
    expect(got.body.toString('utf8')).toContain('system.cpu.time');
  });

  it('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is used as it is, here with protobuf', async () => {
    const got = await exportOnce({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${base}/custom/ingest` }, { headers: {} });
    expect(got.path).toBe('/custom/ingest');
    expect(got.headers['content-type']).toBe('application/x-protobuf');
  });
});
