import uPlot from 'uplot';
import { formatValue } from '../src/use/units.js';
import { h } from './dom.js';
import type { Series } from './series.js';

/**
 * One cell's (or one process's) history as a uPlot time-series chart over the frames the page holds
 * up to the one shown. Drag across it to zoom in; double-click to zoom out. While zoomed, new frames
 * do not reset the zoom. Missing values break the line (spanGaps off), so a gap stays a gap.
 */
export class HistoryChart {
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private zoomed = false;

  constructor(title: string, unit: string | undefined, width: number) {
    this.element = h('figure', { class: 'chart' }, h('figcaption', {}, title));
    // The figure's text colour (from the stylesheet), read when drawing: canvas has no currentColor of its own.
    const ink = () => getComputedStyle(this.element).color;
    const format = (v: number | null | undefined) => (v === null || v === undefined ? '-' : formatValue(v, unit));
    const opts: uPlot.Options = {
      width: Math.max(240, width),
      height: 130,
      legend: { show: true },
      scales: {
        x: { time: true },
        // From zero, to the highest value (a ratio to 100 % at least: a run queue can pass it).
        y: { range: (_u, _min, max) => [0, unit === 'ratio' ? Math.max(1, max) : max > 0 ? max : 1] },
      },
      series: [
        { value: (_u, v) => (v === null ? '-' : new Date(v * 1000).toLocaleTimeString()) },
        { label: title, stroke: ink, width: 1.5, spanGaps: false, value: (_u, v) => format(v) },
      ],
      axes: [{ stroke: ink }, { stroke: ink, size: 60, values: (_u, splits) => splits.map(format) }],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width > 0) this.zoomed = true;
          },
        ],
      },
    };
    this.plot = new uPlot(opts, [[], []], this.element);
    this.plot.over.addEventListener('dblclick', () => {
      this.zoomed = false;
    });
  }

  update(series: Series): void {
    this.plot.setData([series.ts, series.values], !this.zoomed);
  }

  destroy(): void {
    this.plot.destroy();
  }
}
