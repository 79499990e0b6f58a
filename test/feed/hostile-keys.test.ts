import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../src/feed/protocol.js';

describe('feed client messages with prototype keys', () => {
  it('are refused by name and change no prototype', () => {
    const messages = [
      '{"type":"ping","__proto__":{"polluted":1}}',
      '{"type":"subscribe","sections":["use"],"constructor":{"prototype":{"polluted":1}}}',
    ];
    expect(messages.map((m) => parseClientMessage(m))).toEqual([
      { ok: false, error: 'Unrecognized key: "__proto__"' },
      { ok: false, error: 'Unrecognized key: "constructor"' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
