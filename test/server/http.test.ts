import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  type AgentServer,
  checkInterval,
  type ServerOptions,
  sharedWhileRunning,
  startServer,
} from '../../src/server/http.js';
import { selfSignedCertificate } from '../self-signed.js';
import { get, rawConnect, readUntilClose, silentLogger } from './helpers.js';

const TOKEN = 'test-token-0123456789abcdef';
const LIMITS = {
  maxHttpConnections: 64,
  maxPipelinedRequests: 8,
  maxHeaderBytes: 8192,
  headersTimeoutMs: 600,
  requestTimeoutMs: 1000,
  keepAliveTimeoutMs: 500,
  checkIntervalMs: 100,
};

let server: AgentServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(over: Partial<ServerOptions> = {}): Promise<AgentServer> {
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    limits: LIMITS,
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'up 1\n' }),
    health: () => ({ ok: true, body: { status: 'ok' } }),
    log: silentLogger(),
    ...over,
  });
  return server;
}

const auth = { Authorization: `Bearer ${TOKEN}` };

describe('authentication', () => {
  test('a non-loopback address without a token is refused unless the opt-out is explicit', async () => {
    await expect(
      startServer({
        host: '0.0.0.0',
        port: 0,
        limits: LIMITS,
        health: () => ({ ok: true, body: {} }),
        log: silentLogger(),
      }),
    ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without a token/);
    const s = await start({ host: '0.0.0.0', insecureNoAuth: true });
    expect((await get(s.port, '/metrics')).status).toBe(200);
  });

  test('with a token, /metrics needs it: missing or wrong → 401, header or query → 200', async () => {
    const s = await start({ token: TOKEN });
    const none = await get(s.port, '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="usewatch"');
    expect(
      (await get(s.port, '/metrics', { headers: { Authorization: 'Bearer wrong-token-0123456789ab' } })).status,
    ).toBe(401);
    expect((await get(s.port, '/metrics', { headers: auth })).status).toBe(200);
    expect((await get(s.port, `/metrics?token=${TOKEN}`)).status).toBe(200);
    expect(s.stats().unauthorized).toBe(2);
  });

  test('/healthz answers without a token (it tells only the tick age)', async () => {
    const s = await start({ token: TOKEN });
    expect((await get(s.port, '/healthz')).status).toBe(200);
  });
});

describe('routing', () => {
  test('unknown paths 404, wrong methods 405 with Allow, bodies 413', async () => {
    const s = await start();
    expect((await get(s.port, '/')).status).toBe(404);
    expect((await get(s.port, '/metrics/')).status).toBe(404);
    expect((await get(s.port, '/../etc/passwd')).status).toBe(404);
    const post = await get(s.port, '/metrics', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(
      (await get(s.port, '/metrics', { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } })).status,
    ).toBe(405);
    const head = await get(s.port, '/metrics', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await get(s.port, '/metrics', { headers: { 'Content-Length': '3' } })).status).toBe(413);
  });

  test('a request with a body gets 413 and is closed unread, whatever its path, method or Host', async () => {
    const s = await start();
    for (const head of [
      'POST /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000000\r\n\r\n',
      'PUT /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n',
      'GET /metrics HTTP/1.1\r\nHost: evil.example\r\nContent-Length: 100000000000\r\n\r\n',
    ]) {
      const c = await rawConnect(s.port);
      const t0 = Date.now();
      // The start of a body that would never end: the server must answer and close, not read on.
      c.write(`${head}10000\r\n${'x'.repeat(1000)}`);
      const { data, closed } = await readUntilClose(c, 3000);
      expect(closed, head).toBe(true);
      expect(Date.now() - t0, head).toBeLessThan(1000);
      expect(data, head).toMatch(/^HTTP\/1\.1 413 /);
      expect(data.toLowerCase(), head).toContain('connection: close');
    }
  });

  test('an Upgrade header on a path other than /feed is ignored: the request is answered as a plain one', async () => {
    const s = await start();
    const h2c = await get(s.port, '/metrics', { headers: { Connection: 'Upgrade, HTTP2-Settings', Upgrade: 'h2c' } });
    expect(h2c.status).toBe(200);
    expect(h2c.body).toBe('up 1\n');
    const ws = await get(s.port, '/healthz', { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
    expect(ws.status).toBe(200);
    expect(JSON.parse(ws.body)).toEqual({ status: 'ok' });
    expect((await get(s.port, '/nope', { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } })).status).toBe(404);
  });

  test('no CORS headers on any answer, even to a cross-origin request', async () => {
    const s = await start({ token: TOKEN });
    for (const [path, method] of [
      ['/metrics', 'GET'],
      ['/healthz', 'GET'],
      ['/nope', 'GET'],
      ['/metrics', 'OPTIONS'],
    ]) {
      const r = await get(s.port, path, { method, headers: { Origin: 'https://evil.example', ...auth } });
      expect(
        Object.keys(r.headers).filter((h) => h.startsWith('access-control-')),
        `${method} ${path}`,
      ).toEqual([]);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  test('/metrics passes the renderer content type; /healthz is JSON, 503 when unhealthy', async () => {
    let ok = true;
    const s = await start({ health: () => ({ ok, body: { status: ok ? 'ok' : 'stalled' } }) });
    const m = await get(s.port, '/metrics');
    expect(m.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(m.body).toBe('up 1\n');
    expect(JSON.parse((await get(s.port, '/healthz')).body)).toEqual({ status: 'ok' });
    ok = false;
    const h = await get(s.port, '/healthz');
    expect(h.status).toBe(503);
    expect(h.headers['content-type']).toBe('application/json');
  });

  test('every reply carries one Date header with the current second', async () => {
    const s = await start({ token: TOKEN });
    for (const path of ['/metrics', '/healthz', '/nope']) {
      const before = Math.floor(Date.now() / 1000) * 1000;
      const r = await get(s.port, path, { headers: auth });
      const date = r.headers.date;
      expect(typeof date, path).toBe('string');
      expect(date, path).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      const at = Date.parse(date as string);
      expect(at, path).toBeGreaterThanOrEqual(before);
      expect(at, path).toBeLessThanOrEqual(Date.now());
    }
  });

  test('/metrics is 404 when the Prometheus output is off', async () => {
    const s = await start({ metrics: undefined });
    expect((await get(s.port, '/metrics')).status).toBe(404);
  });
});

describe('Host header (DNS rebinding)', () => {
  test('a foreign name is refused with 421 and a clear reason; listen address, localhost and allowed names pass', async () => {
    const s = await start({ allowHosts: ['metrics.example.org'] });
    const evil = await get(s.port, '/metrics', { headers: { Host: `rebind.evil.example:${s.port}` } });
    expect(evil.status).toBe(421);
    expect(evil.body).toMatch(/Host header does not name this server.*--allow-host/);
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, 'metrics.example.org']) {
      expect((await get(s.port, '/metrics', { headers: { Host: host } })).status, host).toBe(200);
    }
  });
});

describe('the /feed path', () => {
  const upgradeRequest = (port: number, host: string, token?: string) =>
    `GET /feed${token ? `?token=${token}` : ''} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

  test('without a feed handler: 404 for a plain GET and for an upgrade', async () => {
    const s = await start();
    expect((await get(s.port, '/feed')).status).toBe(404);
    const sock = await rawConnect(s.port);
    sock.write(upgradeRequest(s.port, '127.0.0.1'));
    expect((await readUntilClose(sock, 2000)).data).toMatch(/^HTTP\/1\.1 404 /);
  });

  test('with one: a plain GET is told to upgrade (426); an upgrade reaches it only past the Host and token checks', async () => {
    const upgrades: string[] = [];
    const handler = {
      handleUpgrade(req: { url?: string }, socket: Duplex) {
        upgrades.push(req.url ?? '');
        socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\n');
      },
    };
    const s = await start({ token: TOKEN, upgradeHandler: handler });
    const plain = await get(s.port, '/feed', { headers: auth });
    expect(plain.status).toBe(426);
    expect(plain.headers.upgrade).toBe('websocket');

    const tries: [string, string | undefined, RegExp][] = [
      ['evil.example', TOKEN, /^HTTP\/1\.1 421 /],
      ['127.0.0.1', undefined, /^HTTP\/1\.1 401 /],
      ['127.0.0.1', TOKEN, /^HTTP\/1\.1 101 /],
    ];
    for (const [host, token, expected] of tries) {
      const sock = await rawConnect(s.port);
      sock.write(upgradeRequest(s.port, host, token));
      expect((await readUntilClose(sock, 2000)).data, `${host} ${token}`).toMatch(expected);
    }
    expect(upgrades).toEqual([`/feed?token=${TOKEN}`]);
  });
});

describe('bad clients', () => {
  test('oversized headers get 431', async () => {
    const s = await start();
    const r = await get(s.port, '/metrics', { headers: { 'X-Big': 'a'.repeat(20_000) } });
    expect(r.status).toBe(431);
    expect(s.stats().clientErrors).toBe(1);
  });

  test('a malformed request line gets 400', async () => {
    const s = await start();
    const sock = await rawConnect(s.port);
    sock.write('NOT HTTP AT ALL\r\n\r\n');
    expect((await readUntilClose(sock, 2000)).data).toMatch(/^HTTP\/1\.1 400 /);
  });

  test('a slow-loris client is timed out while /healthz keeps answering others', async () => {
    const s = await start();
    const slow = await rawConnect(s.port);
    slow.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const dribble = setInterval(() => slow.writable && slow.write('X-Slow: 1\r\n'), 100);
    const closed = readUntilClose(slow, 5000);
    const during: number[] = [];
    for (let i = 0; i < 3; i++) during.push((await get(s.port, '/healthz')).status);
    const result = await closed;
    clearInterval(dribble);
    expect(during).toEqual([200, 200, 200]);
    expect(result.closed).toBe(true);
    expect(result.data).toMatch(/^HTTP\/1\.1 408 /);
  });

  test('idle connections from the same address as everyone else do not lock anyone out', async () => {
    const s = await start({
      limits: { ...LIMITS, maxHttpConnections: 8, headersTimeoutMs: 10_000, requestTimeoutMs: 20_000 },
    });
    const first = [];
    for (let i = 0; i < 8; i++) first.push(readUntilClose(await rawConnect(s.port), 3000));
    for (let round = 0; round < 3; round++) {
      // Fill the ceiling again with connections that ask nothing, then ask as a scraper would.
      while (s.stats().connections < 8) await rawConnect(s.port);
      expect((await get(s.port, round === 1 ? '/metrics' : '/healthz')).status).toBe(200);
    }
    // The oldest idle ones made room, without a word (they had asked nothing).
    const oldest = await first[0];
    expect(oldest).toEqual({ data: '', closed: true });
    expect(s.stats().rejectedConnections).toBe(3);
  });

  test('at the ceiling with every connection busy, a new one gets 503 with Retry-After', async () => {
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const s = await start({
      limits: { ...LIMITS, maxHttpConnections: 2 },
      metrics: async () => {
        await slow;
        return { contentType: 'text/plain', body: 'up 1\n' };
      },
    });
    const busy = [get(s.port, '/metrics'), get(s.port, '/metrics')];
    await sleep(100);
    const refused = await readUntilClose(await rawConnect(s.port), 2000);
    expect(refused.data).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(refused.data).toContain('Retry-After: 1\r\n');
    release();
    expect((await Promise.all(busy)).map((r) => r.status)).toEqual([200, 200]);
    expect((await get(s.port, '/healthz')).status).toBe(200);
  });

  test('a few pipelined requests are all answered, in order', async () => {
    const s = await start();
    const sock = await rawConnect(s.port);
    sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(4));
    sock.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    const { data } = await readUntilClose(sock, 2000);
    expect(data.match(/^HTTP\/1\.1 200 /gm)).toHaveLength(5);
    expect(data.endsWith('up 1\n')).toBe(true);
  });

  test('a client pipelining past the bound without reading is cut, renders /metrics once, and others go on', async () => {
    let renders = 0;
    const s = await start({
      metrics: async () => {
        renders++;
        await sleep(20);
        return { contentType: 'text/plain', body: 'x'.repeat(100_000) };
      },
    });
    const flood = await rawConnect(s.port);
    flood.pause();
    const closed = new Promise<boolean>((resolve) => {
      flood.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 3000);
    });
    flood.on('error', () => {});
    flood.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(2000));
    expect(await closed).toBe(true);
    expect(renders).toBe(1);
    expect(s.stats().clientErrors).toBe(1);
    expect((await get(s.port, '/healthz')).status).toBe(200);
    expect((await get(s.port, '/metrics')).status).toBe(200);
  });

  test('a client that stops reading its answers is closed after request_timeout of no progress', async () => {
    const s = await start({
      limits: { ...LIMITS, requestTimeoutMs: 800 },
      metrics: async () => ({ contentType: 'text/plain', body: 'x'.repeat(32 * 1024 * 1024) }),
    });
    const stalled = await rawConnect(s.port);
    stalled.pause();
    stalled.on('error', () => {});
    stalled.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const t0 = Date.now();
    // It never reads, so it would not see the close either: the server's count tells.
    await vi.waitFor(() => expect(s.stats().connections).toBe(0), { timeout: 4000, interval: 50 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    stalled.destroy();
  });
});

test('close() cuts sockets their owner left open, so a stop is not held by a silent peer', async () => {
  const handler = {
    // Takes the socket and never closes it, as a feed peer that ignores the close handshake.
    handleUpgrade(_req: unknown, socket: Duplex) {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    },
  };
  const s = await start({ upgradeHandler: handler });
  const peer = await rawConnect(s.port);
  peer.write(
    'GET /feed HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  const peerClosed = readUntilClose(peer, 3000);
  await sleep(100);
  const t0 = Date.now();
  await s.close();
  server = undefined;
  expect(Date.now() - t0).toBeLessThan(1800);
  expect((await peerClosed).closed).toBe(true);
});

describe('checkInterval', () => {
  test('the timeouts are checked every half of the shorter one, at least every second, unless set', () => {
    const agentDefaults = { ...LIMITS, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, checkIntervalMs: undefined };
    expect(checkInterval(agentDefaults)).toBe(5000);
    expect(checkInterval({ ...agentDefaults, requestTimeoutMs: 4000 })).toBe(2000);
    expect(checkInterval({ ...agentDefaults, headersTimeoutMs: 600 })).toBe(1000);
    expect(checkInterval(LIMITS)).toBe(100);
  });
});

describe('sharedWhileRunning', () => {
  test('calls made while one runs share its result; the next call runs again', async () => {
    let calls = 0;
    const shared = sharedWhileRunning(async () => {
      calls++;
      await sleep(10);
      return calls;
    });
    expect(await Promise.all([shared(), shared(), shared()])).toEqual([1, 1, 1]);
    expect(await shared()).toBe(2);
  });

  test('a failure reaches every caller that shared it, and does not stick', async () => {
    let fail = true;
    const shared = sharedWhileRunning(async () => {
      await sleep(5);
      if (fail) throw new Error('render failed');
      return 'ok';
    });
    const results = await Promise.allSettled([shared(), shared()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await shared()).toBe('ok');
  });
});

test('TLS: serves HTTPS with the given certificate', async () => {
  const tls = selfSignedCertificate();
  if (!tls) {
    console.log('skipped: openssl is not available to make a test certificate');
    return;
  }
  const { cert, key } = tls;
  const s = await start({ tls: { cert, key } });
  expect(s.url).toMatch(/^https:\/\//);
  const status = await new Promise<number>((resolve, reject) => {
    const r = httpsRequest(
      { host: '127.0.0.1', port: s.port, path: '/healthz', ca: cert, servername: 'localhost', agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    r.on('error', reject);
    r.end();
  });
  expect(status).toBe(200);
});
