import stringWidth from 'string-width';
import { sanitize } from '../text/sanitize.js';

// Text that reaches the terminal is sanitised again here, even when the producer promises it
// already did, so a hostile name can never move the cursor, recolour the screen or break a column.

// One UTF-16 unit, one column: printable ASCII and the glyphs the view draws itself (middle dot,
// multiplication sign, ellipsis, arrows, box rules, block elements). Such text skips grapheme
// segmentation, which is what most of a redraw would otherwise cost.
const NARROW = /^[\x20-\x7e\u00b7\u00d7\u2026\u2190-\u21ff\u2500-\u259f\u25b6]*$/;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Display width of already sanitised text. */
export function displayWidth(text: string): number {
  return NARROW.test(text) ? text.length : stringWidth(text);
}

/**
 * Exactly `width` columns: sanitised, cut with a one-column `ellipsis` when too wide (never splitting a wide
 * character or a grapheme cluster), padded with spaces otherwise. `align` 'right' pads on the left.
 */
export function fitWidth(text: string, width: number, align: 'left' | 'right' = 'left', ellipsis = '~'): string {
  if (width <= 0) return '';
  if (NARROW.test(text)) {
    if (text.length > width) return text.slice(0, width - 1) + ellipsis;
    return align === 'left' ? text.padEnd(width) : text.padStart(width);
  }
  const clean = sanitize(text);
  const total = stringWidth(clean);
  if (total <= width) {
    const pad = ' '.repeat(width - total);
    return align === 'left' ? clean + pad : pad + clean;
  }
  const room = width - 1;
  let used = 0;
  let out = '';
  for (const { segment } of graphemes.segment(clean)) {
    const w = stringWidth(segment);
    if (used + w > room) break;
    out += segment;
    used += w;
  }
  return `${out}${ellipsis}${' '.repeat(room - used)}`;
}

/** Word-wraps sanitised text into lines of at most `width` columns; a word wider than a line is cut. */
export function wrap(text: string, width: number, ellipsis = '~'): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const word of sanitize(text).split(/\s+/)) {
    if (!word) continue;
    const w = displayWidth(word);
    if (used > 0 && used + 1 + w > width) {
      lines.push(line);
      line = '';
      used = 0;
    }
    if (w > width) {
      lines.push(fitWidth(word, width, 'left', ellipsis));
      continue;
    }
    line = used > 0 ? `${line} ${word}` : word;
    used += (used > 0 ? 1 : 0) + w;
  }
  if (used > 0) lines.push(line);
  return lines;
}
