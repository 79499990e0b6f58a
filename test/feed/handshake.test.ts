import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FeedHandshake } from '../../src/feed/handshake.js';

const TOKEN = 's3cret-token-of-sixteen';

function request(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

describe('feed handshake checks', () => {
  const handshake = new FeedHandshake({
    token: TOKEN,
    requireToken: true,
    allowedOrigins: ['https://Dash.example.org'],
  });

  it('accepts a listed Origin whatever its case, with the token, and reads the query', () => {
    const checked = handshake.check(
      request('/feed?since=41&stream=ab12&backfill=5&sections=findings,use', {
        origin: 'https://dash.EXAMPLE.org',
        authorization: `Bearer ${TOKEN}`,
      }),
    );
    expect(checked).toEqual({
      since: 41,
      stream: 'ab12',
      backfillMs: 5000,
      sections: { list: ['use', 'findings'], key: 'use,findings' },
    });
  });

  it('refuses a foreign Origin with 403 before asking for the token', () => {
    expect(handshake.check(request('/feed', { origin: 'https://evil.example' }))).toEqual({
      status: 403,
      reason: 'Origin https://evil.example is not allowed',
    });
  });

  it('asks for the token with 401 and a Bearer challenge', () => {
    expect(handshake.check(request(`/feed?token=wrong-${TOKEN}`))).toEqual({
      status: 401,
      reason: 'a valid token is required (Authorization: Bearer or ?token=)',
      headers: ['WWW-Authenticate: Bearer realm="usewatch"'],
    });
    expect(handshake.check(request(`/feed?token=${TOKEN}`))).toMatchObject({ sections: { key: '*' } });
  });

  it('names the bad query parameter in a 400', () => {
    const open = new FeedHandshake({ requireToken: false, allowedOrigins: [] });
    expect(open.check(request('/feed?backfill=-1'))).toEqual({
      status: 400,
      reason: 'backfill must be a number of seconds, got "-1"',
    });
    expect(open.check(request('/feed?sections=,'))).toMatchObject({
      status: 400,
      reason: expect.stringMatching(/^sections must be a comma-separated subset of host,metrics,/),
    });
  });
});
