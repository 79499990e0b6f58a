import type { IncomingMessage } from 'node:http';
import { describe, expect, test, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const mod = await importOriginal<typeof import('node:crypto')>();
  return { ...mod, timingSafeEqual: vi.fn(mod.timingSafeEqual) };
});

const crypto = await import('node:crypto');
const { hostAllowed, hostPolicy, isLoopbackHost, requestToken, tokenMatches } = await import(
  '../../src/server/auth.js'
);

const TOKEN = 'correct-horse-battery-staple';

describe('tokenMatches', () => {
  test('accepts the token and rejects others, absent and empty ones', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('correct-horse-battery-stapl', TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
    expect(tokenMatches('', '')).toBe(false);
  });

  test('compares fixed-size digests in constant time, whatever the presented length', () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    tokenMatches('x', TOKEN);
    tokenMatches('y'.repeat(5000), TOKEN);
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
  });
});

function req(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('requestToken', () => {
  test('reads a Bearer header (any case of the scheme), else ?token=', () => {
    const url = new URL('http://h/metrics?token=from-query');
    expect(requestToken(req({ authorization: `Bearer ${TOKEN}` }), url)).toBe(TOKEN);
    expect(requestToken(req({ authorization: `bearer   ${TOKEN}` }), url)).toBe(TOKEN);
    expect(requestToken(req({}), url)).toBe('from-query');
    expect(requestToken(req({ authorization: 'Basic dXNlcjpwYXNz' }), new URL('http://h/metrics'))).toBeUndefined();
  });
});

describe('hostAllowed', () => {
  const policy = hostPolicy('127.0.0.1', ['dash.example.org'], 'web01');

  test('accepts localhost, IP literals, the machine name and allowed names, with or without a port', () => {
    for (const h of [
      'localhost:9733',
      '127.0.0.1:9733',
      '[::1]:9733',
      '10.1.2.3',
      'WEB01:9733',
      'dash.example.org.',
      'dash.example.org:443',
    ]) {
      expect(hostAllowed(h, policy), h).toBe(true);
    }
  });

  test('rejects other names: a rebinding page comes with its own name', () => {
    for (const h of [
      'evil.example:9733',
      'localhost.evil.example',
      'web01.evil.example',
      '',
      'localhost:abc',
      '[::1',
      '[::1]x',
    ]) {
      expect(hostAllowed(h, policy), h).toBe(false);
    }
  });

  test('"*" turns the check off; no Host header (HTTP/1.0) passes', () => {
    expect(hostAllowed('anything.example', hostPolicy('127.0.0.1', ['*']))).toBe(true);
    expect(hostAllowed(undefined, policy)).toBe(true);
  });
});

test('isLoopbackHost', () => {
  for (const h of ['127.0.0.1', '127.3.4.5', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])
    expect(isLoopbackHost(h), h).toBe(true);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.org', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
});
