import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetQueries, PrometheusClient, prometheusDurationMs, selectorMatchers } from '../../src/fleet/query.js';
import { selfSignedCertificate } from '../self-signed.js';

describe('selectors and queries', () => {
  it('adds the selector to the three queries of a refresh', () => {
    const sel = 'job="usewatch", env=~"prod.*"';
    const status = (d: string) => `usewatch_use_status{${sel},dimension="${d}"}`;
    const worst = (d: string) =>
      `max by (job, instance, resource, dimension) ((${status(d)} % 3 * 2 + 1 + (${status(d)} == bool 3)))`;
    expect(fleetQueries(`{${sel}}`)).toEqual({
      cells: `sum by (job, instance, resource) (${worst('utilization')} or 10 * ${worst('saturation')} or 100 * ${worst('errors')})`,
      findings: `{__name__=~"usewatch_finding_active|usewatch_finding_severity|usewatch_finding_info",${sel}}`,
      up: `up{${sel}}`,
    });
    expect(fleetQueries('')).toMatchObject({
      cells: expect.stringContaining('usewatch_use_status{dimension="errors"}'),
      findings: '{__name__=~"usewatch_finding_active|usewatch_finding_severity|usewatch_finding_info"}',
      up: 'up{}',
    });
  });

  it('refuses a selector without braces or one that picks the metric name', () => {
    expect(() => selectorMatchers('job="x"')).toThrow('--selector job="x": expected label matchers in braces');
    expect(() => selectorMatchers('{__name__="up"}')).toThrow('match labels only');
  });

  it('reads Prometheus durations', () => {
    expect(prometheusDurationMs('15s')).toBe(15_000);
    expect(prometheusDurationMs('1m30s')).toBe(90_000);
    expect(prometheusDurationMs('500ms')).toBe(500);
    expect(prometheusDurationMs('15 s')).toBeUndefined();
  });
});

describe('PrometheusClient', () => {
  let server: Server | undefined;
  const requests: IncomingMessage[] = [];

  afterEach(async () => {
    requests.length = 0;
    server?.closeAllConnections();
    if (server) await new Promise((r) => server?.close(r));
  });

  async function serve(answer: (req: IncomingMessage) => [number, unknown]): Promise<string> {
    server = createServer((req, res) => {
      requests.push(req);
      const [status, body] = answer(req);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const vector = (result: unknown[]) => [200, { status: 'success', data: { resultType: 'vector', result } }] as const;

  it('reads a refresh in three instant queries, with the bearer token', async () => {
    const url = await serve(() => [...vector([{ metric: { __name__: 'up' }, value: [1, '1'] }])]);
    const client = new PrometheusClient(url, { token: 's3cret' });
    const responses = await client.readFleet('{job="usewatch"}');
    expect(responses.up).toHaveLength(1);
    expect(requests.map((r) => new URL(r.url!, url).searchParams.get('query'))).toEqual([
      expect.stringContaining('usewatch_use_status{job="usewatch",dimension="utilization"}'),
      expect.stringContaining('usewatch_finding_active'),
      'up{job="usewatch"}',
    ]);
    expect(requests.every((r) => r.headers.authorization === 'Bearer s3cret')).toBe(true);
  });

  it('sends basic auth', async () => {
    const url = await serve(() => [...vector([])]);
    await new PrometheusClient(`${url}/prom`, { basic: 'ops:pa:ss' }).query('up');
    expect(requests[0].headers.authorization).toBe(`Basic ${Buffer.from('ops:pa:ss').toString('base64')}`);
    expect(requests[0].url).toMatch(/^\/prom\/api\/v1\/query\?/);
  });

  it('reads the scrape interval of the fleet targets, the shortest', async () => {
    const url = await serve(() => [
      200,
      {
        status: 'success',
        data: {
          activeTargets: [
            { labels: { instance: 'a:9733' }, scrapeInterval: '15s' },
            { labels: { instance: 'b:9733' }, scrapeInterval: '1m' },
            { labels: { instance: 'node:9100' }, scrapeInterval: '1s' },
          ],
        },
      },
    ]);
    expect(await new PrometheusClient(url).scrapeIntervalMs(new Set(['a:9733', 'b:9733']))).toBe(15_000);
  });

  it('says what Prometheus answered to a bad query, and refuses a 401 naming the credentials', async () => {
    const bad = await serve((req) =>
      req.headers.authorization ? [400, { status: 'error', error: 'parse error at char 3' }] : [401, 'Unauthorized'],
    );
    await expect(new PrometheusClient(bad, { token: 't' }).query('up{')).rejects.toThrow(
      `Prometheus at ${bad}/: api/v1/query answered 400: parse error at char 3`,
    );
    await expect(new PrometheusClient(bad).query('up')).rejects.toThrow(
      `cannot reach Prometheus at ${bad}/: 401 Unauthorized: check the token or basic auth file`,
    );
  });

  it('names the URL and the error when Prometheus is unreachable', async () => {
    const url = await serve(() => [...vector([])]);
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    server = undefined;
    await expect(new PrometheusClient(url).query('up')).rejects.toThrow(
      new RegExp(`^cannot reach Prometheus at ${url}/: ECONNREFUSED`),
    );
    expect(() => new PrometheusClient('prometheus:9090')).toThrow('--prometheus prometheus:9090: expected an http');
  });
});

describe('PrometheusClient over https', () => {
  it('trusts the CA it is given, and no other', async (ctx) => {
    const tls = selfSignedCertificate();
    if (!tls) ctx.skip();
    const body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } });
    const server = createHttpsServer(tls!, (_req, res) => res.end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await new PrometheusClient(url, { ca: tls!.cert.toString() }).query('up')).toEqual([]);
      await expect(new PrometheusClient(url).query('up')).rejects.toThrow(`cannot reach Prometheus at ${url}/:`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
