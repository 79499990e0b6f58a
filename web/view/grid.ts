import { catalogByName } from '../../src/catalog/index.js';
import { DIMENSIONS, type Dimension } from '../../src/model/frame.js';
import { type CellView, cellKey, type GridRow } from '../../src/tui/lists.js';
import { CELL_TAGS } from '../../src/tui/view/grid.js';
import { formatValue } from '../../src/use/units.js';
import { h, setClass, setText } from '../dom.js';
import type { PageLists, PageModel } from '../model.js';
import { type CellHistory, lastSeconds, seriesOf } from '../series.js';
import { drawSparkline } from '../spark.js';

const WINDOW_S = 60;

export function cellUnit(cell: CellView): string | undefined {
  return cell.unit ?? (cell.metric ? catalogByName.get(cell.metric)?.unit : undefined);
}

/** The cell's value as `top` writes it, `gap` or `n/a` when it has none. */
export function cellText(cell: CellView | undefined): string {
  if (!cell) return '';
  if (cell.status === 'gap') return 'gap';
  if (cell.status === 'unknown' && cell.value === undefined) return 'n/a';
  return formatValue(cell.value, cellUnit(cell));
}

/** A row's elements, kept across frames: its cells by dimension, each with its value, tag and sparkline. */
interface RowParts {
  tr: HTMLTableRowElement;
  label: HTMLElement;
  cells: Record<Dimension, CellParts>;
}

interface CellParts {
  td: HTMLElement;
  /** What the cell holds besides its value: the tag's text and whether it has a sparkline; a change rebuilds it. */
  shape: string;
  value?: HTMLElement;
  canvas?: HTMLCanvasElement;
}

/**
 * The USE grid: a row per resource instance, a cell per dimension with its value in its status
 * colour, the saturation measure's tag, and a sparkline of the last minute. Rows, cells and canvases
 * are kept across frames (by resource and instance): a new frame changes the texts and classes that
 * differ and repaints the lines, so the browser lays out and paints only what changed.
 */
export class GridView {
  private readonly rows = new Map<string, RowParts>();
  private readonly aside = h('span', { class: 'aside' });
  private readonly body = h('tbody');
  /** Status colours from the stylesheet's variables, read once: reading a style per cell would force a layout per frame. */
  private inks: Record<string, string> | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly cells: CellHistory,
  ) {
    const head = h('tr', {}, h('th', {}, 'RESOURCE'), ...DIMENSIONS.map((d) => h('th', {}, d.toUpperCase())));
    root.replaceChildren(
      h('h2', {}, 'USE', this.aside),
      h('table', { class: 'grid' }, h('thead', {}, head), this.body),
    );
  }

  render(m: PageModel, lists: PageLists): void {
    const focused = m.ui.focus === 'grid';
    setText(this.aside, `last ${WINDOW_S}s · per-CPU ${m.ui.perCpu ? 'on' : 'off'} (c)`);
    const selectedAt = Math.min(m.ui.selected.grid, lists.grid.length - 1);
    const used = new Set<string>();
    let next: ChildNode | null = this.body.firstChild;
    for (const [i, row] of lists.grid.entries()) {
      const key = `${row.resource}|${row.instance}`;
      used.add(key);
      const parts = this.rows.get(key) ?? this.makeRow(key);
      const selected = i === selectedAt;
      setClass(parts.tr, `row${selected ? ' selected' : ''}${selected && focused ? ' focused' : ''}`);
      if (parts.tr.dataset.index !== String(i)) parts.tr.dataset.index = String(i);
      setText(parts.label, row.label);
      for (const d of DIMENSIONS) this.updateCell(parts.cells[d], row, d, m.frame !== undefined);
      if (parts.tr !== next) this.body.insertBefore(parts.tr, next);
      else next = next.nextSibling;
    }
    for (const [key, parts] of this.rows) {
      if (used.has(key)) continue;
      parts.tr.remove();
      this.rows.delete(key);
    }
    this.root.classList.toggle('focused', focused);
    this.paint(m, lists);
  }

  private makeRow(key: string): RowParts {
    const cell = (d: Dimension): CellParts => ({ td: h('td', { data: { dimension: d } }), shape: '' });
    const cells = { utilization: cell('utilization'), saturation: cell('saturation'), errors: cell('errors') };
    const label = h('td', { class: 'label' });
    const tr = h('tr', { data: { pane: 'grid' } }, label, ...DIMENSIONS.map((d) => cells[d].td));
    const parts = { tr, label, cells };
    this.rows.set(key, parts);
    return parts;
  }

  private updateCell(parts: CellParts, row: GridRow, d: Dimension, hasFrame: boolean): void {
    const cell = row.cells[d];
    const status = cell?.status ?? 'none';
    const td = parts.td;
    setClass(td, `cell st-${status}`);
    if (td.dataset.status !== status) td.dataset.status = status;
    const title = cell ? (cell.reason ?? cell.metric ?? '') : undefined;
    if (title === undefined) td.removeAttribute('title');
    else if (td.title !== title) td.title = title;
    const tag = cell && d === 'saturation' && cell.metric ? CELL_TAGS[cell.metric] : undefined;
    const spark = cell !== undefined && cell.status !== 'gap' && hasFrame;
    const shape = cell ? `${tag ?? ''}|${spark}` : 'none';
    if (shape !== parts.shape) {
      parts.shape = shape;
      parts.value = cell ? h('span', { class: 'value' }) : undefined;
      parts.canvas = spark
        ? h('canvas', { class: 'spark', data: { key: cellKey(row.resource, row.instance, d) } })
        : undefined;
      td.replaceChildren(...[parts.value, tag && h('span', { class: 'tag' }, tag), parts.canvas].filter((c) => !!c));
    }
    if (parts.value) setText(parts.value, cellText(cell));
  }

  /** Draws every sparkline over the last minute up to the frame shown, from the cells' history. */
  private paint(m: PageModel, lists: PageLists): void {
    if (!m.frame) return;
    this.inks ??= statusInks();
    const toS = m.frame.ts / 1000;
    const recent = m.ring.upToShown(m.frame.ts - (WINDOW_S + 1) * 1000);
    for (const row of lists.grid) {
      const parts = this.rows.get(`${row.resource}|${row.instance}`);
      for (const d of DIMENSIONS) {
        const cell = row.cells[d];
        const canvas = parts?.cells[d].canvas;
        if (!cell || !canvas) continue;
        const key = cellKey(row.resource, row.instance, d);
        const series = lastSeconds(
          seriesOf(recent, (x) => this.cells.value(key, x)),
          toS,
          WINDOW_S,
        );
        drawSparkline(canvas, series, {
          toS,
          windowS: WINDOW_S,
          fixedMax: cellUnit(cell) === 'ratio' ? 1 : undefined,
          ink: this.inks[cell.status ?? 'none'] ?? this.inks.none,
        });
      }
    }
  }
}

function statusInks(): Record<string, string> {
  const style = getComputedStyle(document.documentElement);
  const ink = (name: string) => style.getPropertyValue(`--${name}`).trim();
  return {
    ok: ink('ok'),
    warning: ink('warning'),
    critical: ink('critical'),
    unknown: ink('unknown'),
    none: ink('accent'),
  };
}
