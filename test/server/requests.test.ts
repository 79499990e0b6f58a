import type { IncomingMessage } from 'node:http';
import { describe, expect, test } from 'vitest';
import { hostPolicy } from '../../src/server/auth.js';
import { RequestGate } from '../../src/server/gate.js';
import { RequestRouter } from '../../src/server/requests.js';
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
      headers: { 'Content-Type': 'text/plain' },
    });
  });
});
