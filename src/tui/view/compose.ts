import { sanitize } from '../../text/sanitize.js';
import { displayWidth, fitWidth } from '../text.js';

export type Paint = (text: string) => string;

/** One column of a line: fixed `width`, natural width (unset), or `flex` (takes what is left). */
export interface Part {
  text: string;
  width?: number;
  flex?: boolean;
  align?: 'left' | 'right';
  paint?: Paint;
}

/**
 * Lays parts out left to right within `cols` display columns. Each part is fitted (sanitised,
 * width-correct cut and pad) before it is painted, so colour codes never count towards the width
 * and no text can spill into the next column or line.
 */
export function compose(cols: number, parts: readonly Part[], ellipsis: string): string {
  const widths = parts.map((p) => (p.flex ? 0 : (p.width ?? displayWidth(sanitize(p.text)))));
  const fixed = widths.reduce((a, b) => a + b, 0);
  const flexIndex = parts.findIndex((p) => p.flex);
  if (flexIndex >= 0) widths[flexIndex] = Math.max(0, cols - fixed);
  let remaining = cols;
  let out = '';
  for (let i = 0; i < parts.length && remaining > 0; i++) {
    const w = Math.min(widths[i], remaining);
    if (w <= 0) continue;
    const part = parts[i];
    const text = fitWidth(part.text, w, part.align, ellipsis);
    out += part.paint ? part.paint(text) : text;
    remaining -= w;
  }
  return out;
}
