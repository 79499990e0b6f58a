import type { Key } from './state.js';

/**
 * How long a lone ESC waits for the rest of an escape sequence. Terminals send a sequence (an
 * arrow key: ESC [ A) in one write, so a few tens of ms cover a slow link while Esc still acts at
 * once; readline's 500 ms made Esc feel stuck.
 */
export const ESCAPE_TIMEOUT_MS = 25;

const ESC = '\x1b';

/** CSI and SS3 final bytes → keys (ESC [ A, ESC O A; modifiers such as ESC [ 1 ; 5 A are ignored). */
const FINAL: Record<string, Key['name']> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  Z: 'backtab',
};

/** ESC [ n ~ → keys. */
const TILDE: Record<string, Key['name']> = {
  '1': 'home',
  '7': 'home',
  '4': 'end',
  '8': 'end',
  '5': 'pageup',
  '6': 'pagedown',
};

const CONTROL: Record<string, Key> = {
  '\r': { name: 'enter' },
  '\n': { name: 'enter' },
  '\t': { name: 'tab' },
  '\x7f': { name: 'backspace' },
  '\b': { name: 'backspace' },
  '\x03': { name: 'interrupt' },
  '\x04': { name: 'interrupt' },
};

/** A CSI sequence: ESC [, parameter and intermediate bytes, one final byte (ECMA-48). */
const CSI = /^\x1b\[([\x30-\x3f]*)[\x20-\x2f]*([\x40-\x7e])/;
const CSI_PREFIX = /^\x1b\[[\x20-\x3f]*$/;
/** SS3 keys (arrows, Home, End, F1–F4): any other ESC O x is Esc, then O, then x, as typed. */
const SS3 = /^\x1bO([A-DFHP-S])/;

/** ASCII and every character past the C1 controls (a filter may be typed in any script). */
function printable(code: number): boolean {
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && !(code >= 0xd800 && code <= 0xdfff));
}

type Step = { keys: Key[]; used: number } | 'incomplete';

/** One key (or an ignored sequence) at the start of `text`. */
function step(text: string): Step {
  const c = text[0];
  if (c !== ESC) {
    // A terminal in raw mode may send Enter as CR LF: one key, not two.
    if (c === '\r' && text[1] === '\n') return { keys: [CONTROL[c]], used: 2 };
    const control = CONTROL[c];
    if (control) return { keys: [control], used: 1 };
    const code = c.codePointAt(0)!;
    const ch = String.fromCodePoint(code);
    return { keys: printable(code) ? [{ name: 'char', ch }] : [], used: ch.length };
  }
  if (text.length === 1) return 'incomplete';
  const csi = CSI.exec(text);
  if (csi) {
    const [whole, params, final] = csi;
    const name = final === '~' ? TILDE[params.split(';')[0]] : FINAL[final];
    return { keys: name ? [{ name }] : [], used: whole.length };
  }
  if (CSI_PREFIX.test(text) || text === `${ESC}O`) return 'incomplete';
  const ss3 = SS3.exec(text);
  if (ss3) {
    const name = FINAL[ss3[1]];
    return { keys: name ? [{ name }] : [], used: 3 };
  }
  // ESC then anything else is Esc followed by that key (the view has no Alt bindings): Esc q quits.
  return { keys: [{ name: 'escape' }], used: 1 };
}

/**
 * Turns raw terminal input into keys. Input may split a sequence across reads, so an unfinished one
 * is held until more input comes or `flush` is called after ESCAPE_TIMEOUT_MS; nothing typed is lost.
 */
export class KeyDecoder {
  private held = '';

  /** Keys complete in the input so far; an unfinished escape sequence stays held. */
  feed(input: string): Key[] {
    let text = this.held + input;
    const keys: Key[] = [];
    while (text.length > 0) {
      const s = step(text);
      if (s === 'incomplete') break;
      keys.push(...s.keys);
      text = text.slice(s.used);
    }
    this.held = text;
    return keys;
  }

  /** True while an escape sequence waits for its end: the caller flushes after ESCAPE_TIMEOUT_MS. */
  get pending(): boolean {
    return this.held !== '';
  }

  /** The held input, read as it stands: a lone ESC is Esc, an unfinished sequence is Esc then its characters. */
  flush(): Key[] {
    const text = this.held;
    this.held = '';
    if (text === '') return [];
    return [{ name: 'escape' }, ...this.feed(text.slice(1))];
  }
}
