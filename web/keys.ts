import type { Key } from '../src/tui/state.js';

/** What a key press asks of the page: a key for `top`'s reducer, or a move through the frames held. */
export type PageKey =
  | { kind: 'key'; key: Key }
  | { kind: 'step'; delta: number }
  | { kind: 'first' }
  | { kind: 'last' };

/** The parts of a KeyboardEvent the mapping reads (so that it can be tested without a browser). */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

const NAMED: Readonly<Record<string, Key['name']>> = {
  ArrowUp: 'up',
  ArrowDown: 'down',
  PageUp: 'pageup',
  PageDown: 'pagedown',
  Enter: 'enter',
  Escape: 'escape',
  Backspace: 'backspace',
};

/**
 * A browser key press as `top`'s keys (src/tui/state.ts reduces them), plus the page's own:
 * left/right step one frame back/forward (ten with shift), home/end go to the oldest/newest frame
 * held; each of them pauses. Presses with ctrl, alt or meta stay the browser's (copy, reload, tabs).
 */
export function pageKey(e: KeyPress): PageKey | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  if (e.key === 'Tab') return { kind: 'key', key: { name: e.shiftKey ? 'backtab' : 'tab' } };
  if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
    return { kind: 'step', delta: (e.key === 'ArrowLeft' ? -1 : 1) * (e.shiftKey ? 10 : 1) };
  }
  if (e.key === 'Home') return { kind: 'first' };
  if (e.key === 'End') return { kind: 'last' };
  const name = NAMED[e.key];
  if (name) return { kind: 'key', key: { name } };
  // `q` quits `top`; a page is closed with its tab, so the key does nothing here.
  if ([...e.key].length === 1 && e.key !== 'q') return { kind: 'key', key: { name: 'char', ch: e.key } };
  return undefined;
}
