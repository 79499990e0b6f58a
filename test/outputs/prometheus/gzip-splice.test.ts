import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflatePrefix, gzipWithPrefix } from '../../../src/outputs/prometheus/gzip-splice.js';

const FRAME_PART = `${'node_cpu_seconds_total{cpu="0",mode="idle"} 460.42\n'.repeat(400)}é ünïcode\n`;

describe('a gzip member spliced from a prefix compressed once and a tail compressed per call', () => {
  it('decompresses to the prefix then the tail, with Node and with gzip(1)', () => {
    const prefix = deflatePrefix(FRAME_PART);
    for (const tail of ['process_open_fds 12\n', '', 'x'.repeat(70_000)]) {
      const gz = gzipWithPrefix(prefix, tail);
      expect(gunzipSync(gz).toString('utf8')).toBe(FRAME_PART + tail);
      const cli = spawnSync('gzip', ['-dc'], { input: gz });
      expect(cli.status).toBe(0);
      expect(cli.stdout.toString('utf8')).toBe(FRAME_PART + tail);
    }
  });

  it('reuses the prefix: two tails share its bytes and only differ after them', () => {
    const prefix = deflatePrefix(FRAME_PART);
    const a = gzipWithPrefix(prefix, 'a 1\n');
    const b = gzipWithPrefix(prefix, 'b 2\n');
    expect(a.subarray(10, 10 + prefix.deflated.length)).toEqual(b.subarray(10, 10 + prefix.deflated.length));
    expect(a.length).toBeLessThan(FRAME_PART.length / 10);
  });
});
