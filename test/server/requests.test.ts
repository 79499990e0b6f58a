import type { IncomingMessage } from 'node:http';
import { describe, expect, test } from 'vitest';
import { hostPolicy } from '../../src/server/auth.js';
import { RequestGate } from '../../src/server/gate.js';
import { acceptsGzip, RequestRouter } from '../../src/server/requests.js';
import { silentLogger } from './helpers.js';

const TOKEN = 'test-token-0123456789abcdef';

function request(method: string, url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { method, url, headers, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
}

function router() {
  const stats = { unauthorized: 0 };
  const gate = new RequestGate(hostPolicy('127.0.0.1', []), TOKEN, stats, () => {});
  const routes = {
    health: () => ({ ok: true, body: { status: 'ok' } }),
    metrics: async () => ({ contentType: 'text/plain', body: 'up 1\n' }),
    feed: true,
  };
  return { stats, router: new RequestRouter(gate, routes, silentLogger()) };
}

describe('plain request routing', () => {
  test('a foreign Host is refused before the path, the method or the token are looked at', async () => {
    const { router: r, stats } = router();
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/metrics'],
      ['GET', '/metrics'],
    ]) {
      const reply = await r.route(request(method, path, { host: 'rebind.evil.example' }));
      expect(reply.status, `${method} ${path}`).toBe(421);
    }
    expect(stats.unauthorized).toBe(0);
  });

  test('the token is asked for only on /metrics; a wrong one is counted', async () => {
    const { router: r, stats } = router();
    expect((await r.route(request('GET', '/healthz'))).status).toBe(200);
    expect(await r.route(request('GET', '/feed'))).toMatchObject({ status: 426, headers: { Upgrade: 'websocket' } });
    expect(await r.route(request('GET', '/metrics?token=wrong'))).toMatchObject({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="usewatch"' },
    });
    expect(stats.unauthorized).toBe(1);
    expect(await r.route(request('HEAD', '/metrics', { authorization: `Bearer ${TOKEN}` }))).toEqual({
      status: 200,
      body: 'up 1\n',
      headers: { 'Content-Type': 'text/plain', Vary: 'Accept-Encoding' },
    });
  });

  test('/metrics is asked for gzip when the scraper takes it, and says so with Content-Encoding and Vary', async () => {
    const stats = { unauthorized: 0 };
    const gate = new RequestGate(hostPolicy('127.0.0.1', []), undefined, stats, () => {});
    const asked: string[] = [];
    const routes = {
      health: () => ({ ok: true, body: {} }),
      metrics: async (encoding: 'identity' | 'gzip') => {
        asked.push(encoding);
        return encoding === 'gzip'
          ? { contentType: 'text/plain', body: Buffer.from([0x1f, 0x8b]), contentEncoding: 'gzip' as const }
          : { contentType: 'text/plain', body: 'up 1\n' };
      },
      feed: false,
    };
    const r = new RequestRouter(gate, routes, silentLogger());
    const gz = await r.route(request('GET', '/metrics', { 'accept-encoding': 'gzip' }));
    expect(gz.headers).toEqual({ 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
    const plain = await r.route(request('GET', '/metrics', { 'accept-encoding': 'gzip;q=0, identity' }));
    expect(plain.headers).toEqual({ 'Content-Type': 'text/plain', Vary: 'Accept-Encoding' });
    expect(asked).toEqual(['gzip', 'identity']);
  });
});

describe('acceptsGzip', () => {
  test.each([
    ['gzip', true],
    ['deflate, gzip;q=1.0, *;q=0.5', true],
    ['x-gzip', true],
    ['GZIP ; q=0.2', true],
    ['*', true],
    ['gzip;q=0', false],
    ['gzip;q=0.000, *', false],
    ['*;q=0', false],
    ['identity', false],
    ['br, deflate', false],
    ['', false],
  ])('%j → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  test('no header: no gzip', () => {
    expect(acceptsGzip(undefined)).toBe(false);
  });

  test('scrapers with different headers each get their own answer, in any order', () => {
    const asked = ['gzip', 'identity', 'identity', 'gzip;q=0', 'gzip', 'gzip', '*'];
    expect(asked.map((h) => acceptsGzip(h))).toEqual([true, false, false, false, true, true, true]);
  });
});

describe('request targets', () => {
  test('a usual path with a query or a fragment is read as such, not as the bare path', async () => {
    const { router: r, stats } = router();
    expect((await r.route(request('GET', '/metrics'))).status).toBe(401);
    expect((await r.route(request('GET', `/metrics?token=${TOKEN}`))).status).toBe(200);
    expect((await r.route(request('GET', '/healthz?x=1#frag'))).status).toBe(200);
    expect((await r.route(request('GET', '/metrics/'))).status).toBe(404);
    expect(stats.unauthorized).toBe(1);
  });
});
