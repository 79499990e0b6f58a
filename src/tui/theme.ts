import pc from 'picocolors';
import type { CellStatus, Severity } from '../model/frame.js';

export interface ScreenOptions {
  cols: number;
  rows: number;
  color: boolean;
  /** UTF-8 terminal: block sparklines, box rules, arrows; otherwise plain ASCII. */
  unicode: boolean;
}

/** NO_COLOR (any value) wins, then FORCE_COLOR, then TERM=dumb; otherwise colour when on a TTY. */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

const UTF8 = /utf-?8/i;

/** The first set of LC_ALL, LC_CTYPE, LANG decides, as setlocale(3) does. */
export function unicodeEnabled(env: NodeJS.ProcessEnv): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return UTF8.test(locale);
}

export interface Glyphs {
  spark: string[];
  ellipsis: string;
  rule: string;
  up: string;
  down: string;
  flat: string;
  select: string;
  dot: string;
  times: string;
  left: string;
  right: string;
}

/** Each glyph on a UTF-8 terminal beside its ASCII stand-in. */
const GLYPH_PAIRS: { readonly [K in keyof Glyphs]: readonly [unicode: Glyphs[K], ascii: Glyphs[K]] } = {
  spark: [
    ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
    ['_', '.', '-', ':', '=', '+', '*', '#'],
  ],
  ellipsis: ['…', '~'],
  rule: ['─', '-'],
  up: ['↑', '^'],
  down: ['↓', 'v'],
  flat: ['→', '-'],
  select: ['▶', '>'],
  dot: ['·', '|'],
  times: ['×', 'x'],
  left: ['←', 'left'],
  right: ['→', 'right'],
};

function glyphSet(unicode: boolean): Glyphs {
  const side = unicode ? 0 : 1;
  // GLYPH_PAIRS's type holds every key of Glyphs with both forms, so one side of each is a Glyphs.
  return Object.fromEntries(Object.entries(GLYPH_PAIRS).map(([name, pair]) => [name, pair[side]])) as unknown as Glyphs;
}

const UNICODE_GLYPHS = glyphSet(true);
const ASCII_GLYPHS = glyphSet(false);

type Paint = (text: string) => string;

export interface Theme {
  glyphs: Glyphs;
  status: Record<CellStatus, Paint>;
  severity: Record<Severity, Paint>;
  title: Paint;
  label: Paint;
  dim: Paint;
  selected: Paint;
  alert: Paint;
  accent: Paint;
}

const plain: Paint = (text) => text;

function build(color: boolean, unicode: boolean): Theme {
  const c = pc.createColors(color);
  return {
    glyphs: unicode ? UNICODE_GLYPHS : ASCII_GLYPHS,
    status: {
      ok: color ? c.green : plain,
      warning: color ? (t) => c.bold(c.yellow(t)) : plain,
      critical: color ? (t) => c.bold(c.red(t)) : plain,
      unknown: color ? c.magenta : plain,
      gap: color ? c.dim : plain,
    },
    severity: {
      warning: color ? (t) => c.bold(c.yellow(t)) : plain,
      critical: color ? (t) => c.bold(c.red(t)) : plain,
    },
    title: color ? (t) => c.bold(c.cyan(t)) : plain,
    label: color ? c.bold : plain,
    dim: color ? c.dim : plain,
    selected: color ? c.inverse : plain,
    alert: color ? (t) => c.bold(c.red(t)) : plain,
    accent: color ? c.cyan : plain,
  };
}

const themes = new Map<string, Theme>();

/** Themes are immutable and built once per (color, unicode) pair, off the redraw path. */
export function themeFor(opts: Pick<ScreenOptions, 'color' | 'unicode'>): Theme {
  const key = `${opts.color}${opts.unicode}`;
  let theme = themes.get(key);
  if (!theme) {
    theme = build(opts.color, opts.unicode);
    themes.set(key, theme);
  }
  return theme;
}
