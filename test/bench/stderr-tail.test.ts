import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StderrTail, withStderr } from '../../bench/whole/stderr-tail.js';

describe('StderrTail', () => {
  it('keeps what a subject wrote last, up to its size', async () => {
    const stream = new PassThrough();
    const tail = new StderrTail(stream, 16);
    stream.write('first line that scrolls away\n');
    stream.write('Error: EMFILE\n');
    await new Promise((r) => setImmediate(r));
    // the last 16 bytes: the end of the first write and all of the second
    expect(tail.text()).toBe('y\nError: EMFILE');
  });

  it('puts the tail after the failure, and nothing when the subject wrote nothing', () => {
    const tail = new StderrTail(null);
    expect(withStderr(new Error('the process exited with 1'), 'baseline', tail).message).toBe(
      'baseline: the process exited with 1',
    );
    tail.push(Buffer.from('listen EADDRINUSE\n'));
    expect(withStderr(new Error('the process exited with 1'), 'baseline', tail).message).toBe(
      'baseline: the process exited with 1; its stderr ended with:\nlisten EADDRINUSE',
    );
  });
});
