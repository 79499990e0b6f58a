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
function scrollStart(selected: number, length: number, height: number): number {
  if (length <= height) return 0;
  return Math.max(0, Math.min(selected - height + 1, length - height));
}

/** The rows of a section that lists items, one line each, and lets the user select one. */
export interface ListRows<T> {
  items: readonly T[];
  /** The selected index (past the end: the last item). */
  selected: number;
  /** Whether the section has the focus: only then is the selected row marked. */
  focused: boolean;
  /** Said, dimmed, in place of rows when there are no items. */
  empty: string;
  row(item: T, selected: boolean): string;
}

/** `head` (title, column header) and below it the rows that fit in `height`, scrolled to keep the selected one. */
export function listLines<T>(head: string[], height: number, list: ListRows<T>, c: Canvas): string[] {
  const lines = [...head];
  const room = height - lines.length;
  if (list.items.length === 0) {
    if (room > 0) lines.push(c.theme.dim(list.empty));
    return lines;
  }
  const selected = Math.min(list.selected, list.items.length - 1);
  const start = scrollStart(selected, list.items.length, room);
  for (let i = start; i < list.items.length && lines.length < height; i++) {
    lines.push(list.row(list.items[i], list.focused && i === selected));
  }
  return lines;
}
