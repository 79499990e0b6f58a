import { catalogByName } from '../../src/catalog/index.js';
import { DIMENSIONS, type Dimension } from '../../src/model/frame.js';
import { type CellView, cellKey, type GridRow } from '../../src/tui/lists.js';
import { CELL_TAGS } from '../../src/tui/view/grid.js';
import { formatValue } from '../../src/use/units.js';
import { h } from '../dom.js';
import type { PageLists, PageModel } from '../model.js';
import { cellValue, lastSeconds, seriesOf } from '../series.js';
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

/**
 * The USE grid: a row per resource instance, a cell per dimension with its value in its status
 * colour, the saturation measure's tag, and a sparkline of the last minute. Canvases are kept per
 * cell across frames, so a redraw paints lines rather than making elements.
 */
export class GridView {
  private readonly canvases = new Map<string, HTMLCanvasElement>();
  /** Status colours from the stylesheet's variables, read once: reading a style per cell would force a layout per frame. */
  private inks: Record<string, string> | undefined;

  constructor(private readonly root: HTMLElement) {}

  render(m: PageModel, lists: PageLists): void {
    const focused = m.ui.focus === 'grid';
    const head = h('tr', {}, h('th', {}, 'RESOURCE'), ...DIMENSIONS.map((d) => h('th', {}, d.toUpperCase())));
    const recent = m.frame
      ? m.ring.upToShown().filter((x) => x.frame.ts / 1000 > m.frame!.ts / 1000 - WINDOW_S - 1)
      : [];
    const used = new Set<string>();
    const rows = lists.grid.map((row, i) => {
      const selected = i === Math.min(m.ui.selected.grid, lists.grid.length - 1);
      const tr = h(
        'tr',
        {
          class: `row${selected ? ' selected' : ''}${selected && focused ? ' focused' : ''}`,
          data: { pane: 'grid', index: String(i) },
        },
        h('td', { class: 'label' }, row.label),
        ...DIMENSIONS.map((d) => this.cell(m, row, d, used)),
      );
      return tr;
    });
    for (const key of this.canvases.keys()) if (!used.has(key)) this.canvases.delete(key);
    const table = h('table', { class: 'grid' }, h('thead', {}, head), h('tbody', {}, ...rows));
    const title = h(
      'h2',
      {},
      'USE',
      h('span', { class: 'aside' }, `last ${WINDOW_S}s · per-CPU ${m.ui.perCpu ? 'on' : 'off'} (c)`),
    );
    this.root.replaceChildren(title, table);
    this.root.classList.toggle('focused', focused);
    this.paint(m, lists, recent);
  }

  private cell(m: PageModel, row: GridRow, d: Dimension, used: Set<string>): HTMLElement {
    const cell = row.cells[d];
    const status = cell?.status ?? 'none';
    const td = h('td', { class: `cell st-${status}`, data: { dimension: d, status } });
    if (!cell) return td;
    td.title = cell.reason ?? cell.metric ?? '';
    td.append(h('span', { class: 'value' }, cellText(cell)));
    const tag = d === 'saturation' && cell.metric ? CELL_TAGS[cell.metric] : undefined;
    if (tag) td.append(h('span', { class: 'tag' }, tag));
    if (cell.status !== 'gap' && m.frame) {
      const key = cellKey(row.resource, row.instance, d);
      let canvas = this.canvases.get(key);
      if (!canvas) {
        canvas = h('canvas', { class: 'spark', data: { key } });
        this.canvases.set(key, canvas);
      }
      used.add(key);
      td.append(canvas);
    }
    return td;
  }

  /** Draws every sparkline once the cells are in the page (a canvas needs its laid-out size). */
  private paint(m: PageModel, lists: PageLists, recent: ReturnType<PageModel['ring']['upToShown']>): void {
    if (!m.frame) return;
    this.inks ??= statusInks();
    const toS = m.frame.ts / 1000;
    for (const row of lists.grid) {
      for (const d of DIMENSIONS) {
        const cell = row.cells[d];
        const key = cellKey(row.resource, row.instance, d);
        const canvas = this.canvases.get(key);
        if (!cell || !canvas) continue;
        const series = lastSeconds(
          seriesOf(recent, (x) => cellValue(x.frame, key)),
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
