import type { Canvas } from './model.js';

/** A section's title line; the focused section's title is highlighted so tab has a visible effect. */
export function titleLine(title: string, focused: boolean, c: Canvas, note = ''): string {
  const text = ` ${title} `;
  const tail = note ? ` ${note} ` : '';
  const rest = Math.max(0, c.cols - 1 - text.length - tail.length);
  const painted = focused ? c.theme.selected(text) : c.theme.title(text);
  return c.glyphs.rule + painted + c.theme.dim(c.glyphs.rule.repeat(rest) + tail);
}

/** First index of a window of `height` items that keeps `selected` visible. */
export function scrollStart(selected: number, length: number, height: number): number {
  if (length <= height) return 0;
  return Math.max(0, Math.min(selected - height + 1, length - height));
}
