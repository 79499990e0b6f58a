import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger, prettyLine } from '../../src/log/logger.js';
import { LineOutput, MAX_PENDING_BYTES } from '../../src/log/output.js';

describe('a log destination that goes away', () => {
  test('a destroyed stream: lines are dropped and counted, nothing is thrown', async () => {
    const stream = new PassThrough();
    const written: string[] = [];
    stream.on('data', (d) => written.push(String(d)));
    const out = new LineOutput(stream);
    const log = createLogger({ format: 'json', write: (l) => out.write(l) });
    log.info('before');
    stream.destroy();
    for (let i = 0; i < 5; i++) log.warn({ host: 'evil.example' }, 'request with a foreign Host header refused');
    await new Promise((resolve) => setImmediate(resolve));
    expect(written.join('')).toContain('"msg":"before"');
    expect(out.dropped()).toBe(5);
  });

  test('a stream that fails (EPIPE): the failing line and every later one are counted', () => {
    const stream = Object.assign(new EventEmitter(), {
      lines: [] as string[],
      write(line: string) {
        this.lines.push(line);
        return true;
      },
    });
    const out = new LineOutput(stream);
    out.write('a\n');
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    out.write('b\n');
    out.write('c\n');
    expect(stream.lines).toEqual(['a\n']);
    expect(out.dropped()).toBe(3);
  });

  test('a stream whose write throws: counted, never raised', () => {
    const stream = Object.assign(new EventEmitter(), {
      write(): boolean {
        throw new Error('EBADF');
      },
    });
    const out = new LineOutput(stream);
    expect(() => out.write('x\n')).not.toThrow();
    out.write('y\n');
    expect(out.dropped()).toBe(2);
  });
});

describe('a log destination that stops reading', () => {
  test('what waits is bounded: later lines are dropped and counted until the reader catches up', async () => {
    const stream = new PassThrough({ highWaterMark: 1024 });
    const out = new LineOutput(stream);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 3 * (MAX_PENDING_BYTES / line.length); i++) out.write(line);
    expect(stream.writableLength).toBeLessThanOrEqual(MAX_PENDING_BYTES + 2 * line.length);
    expect(out.dropped()).toBeGreaterThan(MAX_PENDING_BYTES / line.length);
    const before = out.dropped();
    stream.resume();
    await new Promise((resolve) => setImmediate(resolve));
    out.write(line);
    expect(out.dropped()).toBe(before);
  });
});

describe('hostile text in log messages', () => {
  const hostile = 'web\x1b]0;pwned\x07\x1b[2J\nFAKE ERROR line\u202e\x9b31m';

  test('pretty: message, fields and stack stay one inert line each', () => {
    const lines: string[] = [];
    const log = createLogger({ format: 'pretty', color: false, write: (l) => lines.push(l) });
    log.warn({ host: hostile, [hostile]: 1 }, `refused ${hostile}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
    expect(lines[0].split('\n')).toHaveLength(2); // the line and its newline only
    expect(lines[0]).toContain('refused web?FAKE ERROR line?');
    expect(prettyLine(`not json ${hostile}\n`, false)).toBe('not json web?FAKE ERROR line?\n');
  });

  test('json and journal: still the same JSON, with C1, bidi and lone surrogates escaped', () => {
    for (const format of ['json', 'journal'] as const) {
      const lines: string[] = [];
      const log = createLogger({ format, write: (l) => lines.push(l) });
      log.warn({ name: `a\x9b31m\u202eb\ud800` }, hostile);
      const text = lines[0].replace(/^<\d>/, '');
      expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e\ud800-\udfff]/);
      const rec = JSON.parse(text);
      expect(rec.msg).toBe(hostile);
      expect(rec.name).toBe('a\x9b31m\u202eb\ud800');
    }
  });
});
