import { describe, expect, it } from 'vitest';
import { type KeyPress, pageKey } from '../../web/keys.js';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('browser keys as top’s keys', () => {
  it('maps named keys and characters to the reducer’s keys', () => {
    expect(pageKey(press('ArrowDown'))).toEqual({ kind: 'key', key: { name: 'down' } });
    expect(pageKey(press('PageUp'))).toEqual({ kind: 'key', key: { name: 'pageup' } });
    expect(pageKey(press('Tab'))).toEqual({ kind: 'key', key: { name: 'tab' } });
    expect(pageKey(press('Tab', { shiftKey: true }))).toEqual({ kind: 'key', key: { name: 'backtab' } });
    expect(pageKey(press('Enter'))).toEqual({ kind: 'key', key: { name: 'enter' } });
    expect(pageKey(press(' '))).toEqual({ kind: 'key', key: { name: 'char', ch: ' ' } });
    expect(pageKey(press('?'))).toEqual({ kind: 'key', key: { name: 'char', ch: '?' } });
  });

  it('moves through the frames with the arrows, home and end', () => {
    expect(pageKey(press('ArrowLeft'))).toEqual({ kind: 'step', delta: -1 });
    expect(pageKey(press('ArrowRight', { shiftKey: true }))).toEqual({ kind: 'step', delta: 10 });
    expect(pageKey(press('Home'))).toEqual({ kind: 'first' });
    expect(pageKey(press('End'))).toEqual({ kind: 'last' });
  });

  it('leaves the browser its own shortcuts, and q (a tab is closed, not quit)', () => {
    expect(pageKey(press('c', { ctrlKey: true }))).toBeUndefined();
    expect(pageKey(press('r', { metaKey: true }))).toBeUndefined();
    expect(pageKey(press('q'))).toBeUndefined();
    expect(pageKey(press('F5'))).toBeUndefined();
    expect(pageKey(press('Shift'))).toBeUndefined();
  });
});
