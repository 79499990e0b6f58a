import { gridRows, sortedFindings, visibleProcesses } from '../lists.js';
import type { SelectionContext } from '../state.js';
import { type ScreenOptions, themeFor } from '../theme.js';
import { compose, type Part } from './compose.js';
import { renderDetail } from './detail.js';
import { findingHeight, renderFindings } from './findings.js';
import { renderGrid } from './grid.js';
import { renderHeader } from './header.js';
import { renderHelp } from './help.js';
import type { Canvas, ScreenModel } from './model.js';
import { renderProcesses } from './processes.js';

export const MIN_COLS = 80;
export const MIN_ROWS = 24;

const EMPTY: SelectionContext = { grid: [], findings: [], processes: [] };

/** The lists on screen for a model, shared by the renderer and the key handling. */
export function selectionContext(m: ScreenModel): SelectionContext {
  if (!m.frame) return EMPTY;
  return {
    grid: gridRows(m.frame, m.ui.perCpu),
    findings: sortedFindings(m.frame),
    processes: visibleProcesses(m.frame, m.ui.sort, m.ui.filter),
  };
}

function footer(m: ScreenModel, c: Canvas): string {
  const { theme, glyphs } = c;
  if (m.ui.filterEditing) {
    return compose(
      c.cols,
      [
        { text: ' filter: ', paint: theme.label },
        { text: `${m.ui.filter}_`, width: 40 },
        { text: 'enter keep, esc clear', flex: true, paint: theme.dim },
      ],
      glyphs.ellipsis,
    );
  }
  const parts: Part[] = [];
  const notice = m.notice ?? m.connectionDetail;
  if (notice) parts.push({ text: ` ${notice} `, width: Math.min(c.cols >> 1, notice.length + 2), paint: theme.alert });
  const d = glyphs.dot;
  parts.push({
    text: ` q quit ${d} space ${m.ui.paused ? 'resume' : 'pause'} ${d} tab focus ${d} enter detail ${d} s sort ${d} c CPUs ${d} / filter ${d} ? help`,
    flex: true,
    paint: theme.dim,
  });
  return compose(c.cols, parts, glyphs.ellipsis);
}

/**
 * The whole screen as `rows` lines of at most `cols` display columns. Pure: the same model and
 * options give the same lines, which is what the tests check and what the line-diff writer needs.
 */
export function renderScreen(m: ScreenModel, opts: ScreenOptions): string[] {
  const theme = themeFor(opts);
  const c: Canvas = { cols: opts.cols, theme, glyphs: theme.glyphs, statusMarks: !opts.color };
  if (opts.cols < MIN_COLS || opts.rows < MIN_ROWS) {
    const message = `terminal too small (${opts.cols}x${opts.rows}): usewatch top needs ${MIN_COLS}x${MIN_ROWS}`;
    return [
      compose(opts.cols, [{ text: message }], c.glyphs.ellipsis),
      ...new Array<string>(Math.max(0, opts.rows - 1)).fill(''),
    ];
  }
  const lines = renderHeader(m, c);
  const body = opts.rows - lines.length - 1;
  if (m.ui.help) lines.push(...renderHelp(c, body, m.ui.scroll));
  else if (m.ui.detail) lines.push(...renderDetail(m, c, body, m.ui.detail));
  else if (!m.frame)
    lines.push(
      '',
      compose(
        c.cols,
        [{ text: `  collecting the first sample${c.glyphs.ellipsis}`, paint: theme.dim }],
        c.glyphs.ellipsis,
      ),
    );
  else {
    const ctx = selectionContext(m);
    // Grid first (what is saturated), then findings (what is wrong), then processes (who) get the rest.
    const processMin = 6;
    const gridNeed = 2 + Math.max(1, ctx.grid.length);
    const findingsNeed =
      1 +
      Math.max(
        1,
        ctx.findings.reduce((n, f) => n + findingHeight(f), 0),
      );
    const grid = Math.min(gridNeed, Math.max(6, Math.floor(body * 0.5)), body - processMin - 2);
    const findings = Math.min(findingsNeed, Math.max(2, body - grid - processMin));
    const processes = body - grid - findings;
    lines.push(
      ...renderGrid(m, c, grid, ctx.grid),
      ...renderFindings(m, c, findings, ctx.findings),
      ...renderProcesses(m, c, processes, ctx.processes),
    );
  }
  while (lines.length < opts.rows - 1) lines.push('');
  lines.length = opts.rows - 1;
  lines.push(footer(m, c));
  return lines;
}
