import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FeedHandshake } from '../../src/feed/handshake.js';
import {
  FEED_SUBPROTOCOL,
  selectSubprotocol,
  tokenFromSubprotocols,
  tokenSubprotocol,
} from '../../src/feed/subprotocol.js';
import { requestToken } from '../../src/server/auth.js';
import { type Harness, handshakeStatus, startFeed, TOKEN } from './helpers.js';

function upgrade(headers: Record<string, string>, url = '/feed'): IncomingMessage {
  return { url, headers: { upgrade: 'websocket', ...headers } } as unknown as IncomingMessage;
}

describe('the token as a WebSocket subprotocol', () => {
  it('round-trips any token, Unicode included, through characters a subprotocol may hold', () => {
    for (const token of [TOKEN, 'ünïcødé tøken / + =', 'a', 'x'.repeat(300)]) {
      const offered = tokenSubprotocol(token);
      expect(offered).toMatch(/^usewatch\.token\.[A-Za-z0-9_-]+$/);
      expect(tokenFromSubprotocols(`${FEED_SUBPROTOCOL}, ${offered}`)).toBe(token);
    }
  });

  it('reads nothing from a header without one, or with a malformed one', () => {
    expect(tokenFromSubprotocols(undefined)).toBeUndefined();
    expect(tokenFromSubprotocols('usewatch.feed')).toBeUndefined();
    expect(tokenFromSubprotocols('usewatch.token.a+b')).toBeUndefined();
    // Bytes that are not UTF-8 (0xff) are refused rather than decoded to replacement characters.
    expect(tokenFromSubprotocols('usewatch.token._w')).toBeUndefined();
  });

  it('is read as the request token on an upgrade only, after a Bearer header', () => {
    const url = new URL('http://h/feed');
    const offered = `${FEED_SUBPROTOCOL}, ${tokenSubprotocol(TOKEN)}`;
    expect(requestToken(upgrade({ 'sec-websocket-protocol': offered }), url)).toBe(TOKEN);
    expect(requestToken(upgrade({ 'sec-websocket-protocol': offered, authorization: 'Bearer other' }), url)).toBe(
      'other',
    );
    const plain = { url: '/feed', headers: { 'sec-websocket-protocol': offered } } as unknown as IncomingMessage;
    expect(requestToken(plain, url)).toBeUndefined();
  });

  it('selects the feed subprotocol, never the token one', () => {
    expect(selectSubprotocol(new Set([tokenSubprotocol(TOKEN), FEED_SUBPROTOCOL]))).toBe(FEED_SUBPROTOCOL);
    expect(selectSubprotocol(new Set([tokenSubprotocol(TOKEN)]))).toBe(false);
  });
});

describe('the feed and a browser page of the agent', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('accepts the token subprotocol and answers with usewatch.feed only', async () => {
    harness = await startFeed({ auth: { token: TOKEN, requireToken: true, allowedOrigins: [] } });
    const ws = new WebSocket(harness.url, [FEED_SUBPROTOCOL, tokenSubprotocol(TOKEN)]);
    const hello = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(data.toString()));
      ws.once('error', reject);
    });
    expect(JSON.parse(hello).type).toBe('hello');
    expect(ws.protocol).toBe(FEED_SUBPROTOCOL);
    ws.close();
    expect(
      await handshakeStatus(harness.url, {
        'Sec-WebSocket-Protocol': `${FEED_SUBPROTOCOL}, ${tokenSubprotocol('wrong')}`,
      }),
    ).toBe(401);
  });

  it("allows the page's own origin (scheme and Host of the request) and still refuses others", () => {
    const handshake = new FeedHandshake({ requireToken: false, allowedOrigins: [] });
    const from = (origin: string, host: string, encrypted = false) =>
      handshake.check({
        url: '/feed',
        headers: { origin, host },
        socket: { encrypted },
      } as unknown as IncomingMessage);
    expect(from('http://127.0.0.1:9733', '127.0.0.1:9733')).toMatchObject({ sections: { key: '*' } });
    expect(from('https://web01:9733', 'WEB01:9733', true)).toMatchObject({ sections: { key: '*' } });
    expect(from('http://web01:9733', 'web01:9733', true)).toMatchObject({ status: 403 });
    expect(from('http://evil.example', '127.0.0.1:9733')).toMatchObject({ status: 403 });
    expect(from('http://127.0.0.1:9734', '127.0.0.1:9733')).toMatchObject({ status: 403 });
  });
});
