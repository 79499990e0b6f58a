import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { hostPolicy } from '../../src/server/auth.js';
import { RequestGate } from '../../src/server/gate.js';
import { RequestRouter } from '../../src/server/requests.js';
import { CONTENT_SECURITY_POLICY, WebPage } from '../../src/web/page.js';
import { silentLogger } from '../server/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'usewatch-page-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILES: Record<string, string> = {
  'index.html': '<!doctype html><title>usewatch</title>',
  'app.js': 'console.log("page");'.repeat(50),
  'app.css': 'body{color:red}',
  'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"><title>u</title></svg>',
};
for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);

function request(url: string, headers: Record<string, string> = {}, method = 'GET'): IncomingMessage {
  return { method, url, headers, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
}

describe('the web page files', () => {
  const page = WebPage.load(dir)!;

  test('are not there when the page is not built', () => {
    expect(WebPage.load(join(dir, 'missing'))).toBeUndefined();
  });

  test('serve each file with its content type, the security headers and no CORS', () => {
    const types = {
      '/': 'text/html',
      '/app.js': 'text/javascript',
      '/app.css': 'text/css',
      '/favicon.svg': 'image/svg+xml',
    };
    for (const [path, type] of Object.entries(types)) {
      const reply = page.reply(path, {})!;
      expect(reply.status, path).toBe(200);
      expect(reply.headers['Content-Type'], path).toContain(type);
      expect(reply.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(reply.headers['X-Content-Type-Options']).toBe('nosniff');
      expect(Object.keys(reply.headers).some((h) => h.toLowerCase().startsWith('access-control-'))).toBe(false);
    }
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(page.reply('/index.html', {})).toBeUndefined();
  });

  test('gzip what a client accepts gzipped, and plain bytes otherwise', () => {
    const zipped = page.reply('/app.js', { 'accept-encoding': 'br, gzip;q=0.8' })!;
    expect(zipped.headers['Content-Encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body as Buffer).toString()).toBe(FILES['app.js']);
    for (const refused of [undefined, 'identity', 'gzip;q=0']) {
      const plain = page.reply('/app.js', refused === undefined ? {} : { 'accept-encoding': refused })!;
      expect(plain.headers['Content-Encoding'], refused).toBeUndefined();
      expect(plain.body.toString()).toBe(FILES['app.js']);
    }
    expect(page.gzipBytes()).toBeLessThan(Object.values(FILES).join('').length);
  });

  test('are revalidated by ETag: a matching If-None-Match gets 304 with no body', () => {
    const first = page.reply('/', {})!;
    expect(first.headers['Cache-Control']).toBe('no-cache');
    const etag = first.headers.ETag;
    expect(page.reply('/', { 'if-none-match': `"other", ${etag}` })).toMatchObject({ status: 304, body: '' });
    expect(page.reply('/', { 'if-none-match': '"other"' })?.status).toBe(200);
  });
});

describe('the page on the routes of the agent', () => {
  const gate = new RequestGate(hostPolicy('127.0.0.1', []), 'a-token-0123456789', { unauthorized: 0 }, () => {});
  const routes = { health: () => ({ ok: true, body: {} }), feed: true, page: WebPage.load(dir) };
  const router = new RequestRouter(gate, routes, silentLogger());

  test('is served at / without a token (it holds no host data), behind the Host check', async () => {
    expect((await router.route(request('/'))).status).toBe(200);
    expect((await router.route(request('/app.js', {}, 'HEAD'))).status).toBe(200);
    expect((await router.route(request('/', { host: 'rebind.evil.example' }))).status).toBe(421);
    expect((await router.route(request('/', {}, 'POST'))).status).toBe(405);
  });

  test('is 404 when the agent has no page (the feed is off)', async () => {
    const bare = new RequestRouter(gate, { health: routes.health, feed: false }, silentLogger());
    expect(await bare.route(request('/'))).toMatchObject({ status: 404 });
  });
});
