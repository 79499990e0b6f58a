import { describe, expect, it } from 'vitest';
import { feedJsonSchema, parseClientMessage, parseServerMessage } from '../../src/feed/protocol.js';
import { serializeFrame } from '../../src/model/frame.js';
import { frame } from './helpers.js';

describe('client messages', () => {
  it('accepts subscribe and ping', () => {
    expect(parseClientMessage('{"type":"subscribe","sections":["findings","events"]}')).toEqual({
      ok: true,
      message: { type: 'subscribe', sections: ['findings', 'events'] },
    });
    expect(parseClientMessage('{"type":"ping","id":"a1"}')).toEqual({ ok: true, message: { type: 'ping', id: 'a1' } });
  });

  it('names what is wrong with a bad message', () => {
    const cases: [string, RegExp][] = [
      ['', /^not JSON/],
      ['[1,2]', /expected object|Invalid input/i],
      ['{"type":"launch"}', /type/],
      ['{"type":"subscribe","sections":[]}', /sections/],
      ['{"type":"subscribe","sections":["raw"]}', /sections\.0/],
      ['{"type":"ping","extra":1}', /extra/],
    ];
    for (const [text, error] of cases) {
      const parsed = parseClientMessage(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.error, text).toMatch(error);
    }
  });
});

describe('server messages', () => {
  it('a serialised frame is a valid frame message', () => {
    const wire = `{"type":"frame",${serializeFrame(frame(9, 3)).slice(1)}`;
    const parsed = parseServerMessage(wire);
    expect(parsed).toMatchObject({ ok: true, message: { type: 'frame', seq: 9, host: { hostname: 'test-host' } } });
    if (parsed.ok && parsed.message.type === 'frame')
      expect(parsed.message.processes?.map((p) => p.pid)).toEqual([100, 101, 102]);
  });

  it('names the row and field of a damaged table', () => {
    const damaged = (change: (rows: unknown[][]) => void) => {
      const wire = JSON.parse(`{"type":"frame",${serializeFrame(frame(9, 3)).slice(1)}`);
      change(wire.processes.rows);
      return parseServerMessage(JSON.stringify(wire));
    };
    expect(damaged((rows) => (rows[2] = { pid: 102 } as never))).toEqual({
      ok: false,
      error: 'processes: row 2 is not an array',
    });
    expect(damaged((rows) => (rows[2][0] = 'x'))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^processes\.2\.pid: .*expected number/),
    });
  });

  it('rejects a frame of another schema version and says where', () => {
    const parsed = parseServerMessage(JSON.stringify({ type: 'frame', schema: 99, seq: 1, ts: 1, intervalMs: 0 }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/schema/);
  });
});

describe('JSON Schema', () => {
  it('docs/feed.schema.json is the schema of the protocol as built (update with vitest -u)', async () => {
    await expect(`${JSON.stringify(feedJsonSchema(), null, 2)}\n`).toMatchFileSnapshot('../../docs/feed.schema.json');
  });
});
