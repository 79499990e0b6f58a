import { catalogByName } from '../../catalog/index.js';
import type { Frame, ProcessEntry } from '../../model/frame.js';
import { formatValue } from '../../use/units.js';
import { wrap } from '../text.js';
import { compose, type Part } from './compose.js';
import type { Canvas } from './model.js';

/** Builds the lines of one detail page; the page scrolls, so it can be longer than the screen. */
export class Page {
  readonly lines: string[] = [];
  constructor(private readonly c: Canvas) {}

  heading(text: string): void {
    this.lines.push(
      '',
      compose(this.c.cols, [{ text: ` ${text}`, paint: this.c.theme.title }], this.c.glyphs.ellipsis),
    );
  }

  row(parts: Part[]): void {
    this.lines.push(compose(this.c.cols, parts, this.c.glyphs.ellipsis));
  }

  text(text: string, indent = 3, paint?: (s: string) => string): void {
    for (const line of wrap(text, this.c.cols - indent, this.c.glyphs.ellipsis)) {
      this.row([
        { text: '', width: indent },
        { text: line, flex: true, paint },
      ]);
    }
  }

  /** Label and value pairs, one a line, the labels in a column. */
  fields(fields: readonly (readonly [string, string])[], labelWidth = 14): void {
    for (const [k, v] of fields)
      this.row([
        { text: '', width: 3 },
        { text: k, width: labelWidth },
        { text: v, flex: true },
      ]);
  }
}

export function metricUnit(name: string): string | undefined {
  return catalogByName.get(name)?.unit;
}

/** Processes one a line: pid, state, the figure they are listed by, name and command line. */
export function processTable(p: Page, list: readonly ProcessEntry[], measure: (pe: ProcessEntry) => string): void {
  for (const pe of list) {
    p.row([
      { text: String(pe.pid), width: 10, align: 'right' },
      { text: ' ', width: 1 },
      { text: pe.state, width: 2 },
      { text: measure(pe), width: 32 },
      { text: pe.cmd ? `${pe.name}  ${pe.cmd}` : pe.name, flex: true },
    ]);
  }
}

/** Every metric of the frame that `wanted` accepts and has a value for the instance, with its description. */
export function metricsSection(
  p: Page,
  f: Frame,
  instance: string,
  wanted: (name: string) => boolean,
  c: Canvas,
): void {
  p.heading('Metrics');
  const names = Object.keys(f.metrics)
    .filter((name) => wanted(name) && f.metrics[name][instance] !== undefined)
    .sort();
  if (names.length === 0) p.text('no metrics for this instance in the frame', 3, c.theme.dim);
  for (const name of names) {
    p.row([
      { text: '', width: 3 },
      { text: name, width: 32 },
      { text: formatValue(f.metrics[name][instance], metricUnit(name)), width: 9, align: 'right' },
      { text: '  ', width: 2 },
      { text: catalogByName.get(name)?.description ?? '', flex: true, paint: c.theme.dim },
    ]);
  }
}
