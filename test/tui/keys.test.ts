import { describe, expect, it } from 'vitest';
import { KeyDecoder } from '../../src/tui/keys.js';

const decode = (...chunks: string[]) => {
  const d = new KeyDecoder();
  return chunks.flatMap((c) => d.feed(c));
};

describe('KeyDecoder', () => {
  it('maps terminal input to view keys', () => {
    expect(decode('q ?')).toEqual([
      { name: 'char', ch: 'q' },
      { name: 'char', ch: ' ' },
      { name: 'char', ch: '?' },
    ]);
    expect(decode('\x1b[A\x1bOB\x1b[C\x1b[D')).toEqual([
      { name: 'up' },
      { name: 'down' },
      { name: 'right' },
      { name: 'left' },
    ]);
    expect(decode('\x1b[5~\x1b[6~\x1b[H\x1b[1~\x1b[F\x1b[4~\x1b[1;5A')).toEqual([
      { name: 'pageup' },
      { name: 'pagedown' },
      { name: 'home' },
      { name: 'home' },
      { name: 'end' },
      { name: 'end' },
      { name: 'up' },
    ]);
    expect(decode('\r\t\x1b[Z\x7f\x03')).toEqual([
      { name: 'enter' },
      { name: 'tab' },
      { name: 'backtab' },
      { name: 'backspace' },
      { name: 'interrupt' },
    ]);
    // F5 and mouse reports are not keys of the view; what follows them still is.
    expect(decode('\x1b[15~\x1b[<0;3;4Mq')).toEqual([{ name: 'char', ch: 'q' }]);
  });

  it('reads CR LF as one Enter, and any script into a filter, but no C1 control', () => {
    expect(decode('\r\n\r')).toEqual([{ name: 'enter' }, { name: 'enter' }]);
    expect(decode('é漢\u009b')).toEqual([
      { name: 'char', ch: 'é' },
      { name: 'char', ch: '漢' },
    ]);
  });

  it('ESC O then a key that ends no SS3 sequence is Esc, O and that key', () => {
    expect(decode('\x1bOq')).toEqual([{ name: 'escape' }, { name: 'char', ch: 'O' }, { name: 'char', ch: 'q' }]);
    expect(decode('\x1bOP')).toEqual([]);
  });

  it('ESC then q in one read is Esc and q: neither key is lost', () => {
    expect(decode('\x1bq')).toEqual([{ name: 'escape' }, { name: 'char', ch: 'q' }]);
    expect(decode('\x1b\x1b')).toEqual([{ name: 'escape' }]);
  });

  it('a lone ESC is held until more input or the timeout flush, then is Esc', () => {
    const d = new KeyDecoder();
    expect(d.feed('\x1b')).toEqual([]);
    expect(d.pending).toBe(true);
    expect(d.feed('q')).toEqual([{ name: 'escape' }, { name: 'char', ch: 'q' }]);
    expect(d.pending).toBe(false);
    expect(d.feed('\x1b')).toEqual([]);
    expect(d.flush()).toEqual([{ name: 'escape' }]);
    expect(d.pending).toBe(false);
  });

  it('a sequence split across reads is joined; a cut one is Esc and its characters', () => {
    const d = new KeyDecoder();
    expect(d.feed('\x1b[')).toEqual([]);
    expect(d.feed('A')).toEqual([{ name: 'up' }]);
    expect(d.feed('\x1b[')).toEqual([]);
    expect(d.flush()).toEqual([{ name: 'escape' }, { name: 'char', ch: '[' }]);
  });
});
