import { type Child, h } from '../dom.js';

/** A plain table of rows of cells, as the detail pane lists fields, metrics and processes. */
export function table(rows: Child[][], cls = 'kv'): HTMLElement {
  return h('table', { class: cls }, h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))));
}
