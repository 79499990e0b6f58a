import { gridRows, sortedFindings, visibleCgroups, visibleProcesses } from '../lists.js';
import type { SelectionContext } from '../state.js';
import { displayWidth } from '../text.js';
import { type ScreenOptions, themeFor } from '../theme.js';
import { compose, type Part } from './compose.js';
import { renderDetail } from './detail.js';
import { findingHeight, renderFindings } from './findings.js';
import { renderGrid } from './grid.js';
import { renderHeader } from './header.js';
import { renderHelp } from './help.js';
import type { Canvas, ScreenModel } from './model.js';
import { renderProcesses } from './processes.js';
import { renderServices } from './services.js';

export const MIN_COLS = 80;
export const MIN_ROWS = 24;

const EMPTY: SelectionContext = { grid: [], findings: [], processes: [], services: [] };

/** The lists on screen for a model, shared by the renderer and the key handling. */
export function selectionContext(m: ScreenModel): SelectionContext {
  if (!m.frame) return EMPTY;
  return {
    grid: gridRows(m.frame, m.ui.perCpu),
    findings: sortedFindings(m.frame),
    processes: visibleProcesses(m.frame, m.ui.sort, m.ui.filter),
    services: visibleCgroups(m.frame, m.ui.cgroupSort, m.ui.filter),
  };
}

const TIME_FORMS = '03:12, 03:12:30 (that day), 2026-11-25T03:12, -10m (before the frame shown)';

/** The `g` prompt of a replay: an error line when the last time typed was not readable, then the input. */
function timePrompt(m: ScreenModel, input: string, c: Canvas): string[] {
  const { theme, glyphs } = c;
  const lines: string[] = [];
  if (m.ui.timeError)
    lines.push(compose(c.cols, [{ text: ` ${m.ui.timeError}`, paint: theme.alert }], glyphs.ellipsis));
  lines.push(
    compose(
      c.cols,
      [
        { text: ' go to: ', paint: theme.label },
        { text: `${input}_`, width: 22 },
        { text: `enter go, esc cancel ${glyphs.dot} ${TIME_FORMS}`, flex: true, paint: theme.dim },
      ],
      glyphs.ellipsis,
    ),
  );
  return lines;
}

/**
 * The key hints that fit `width`: the least needed go first (listed last-dropped-first in `drop`),
 * so "q quit" and "? help" always show, whatever the notice beside them leaves.
 */
function keyHints(m: ScreenModel, c: Canvas, width: number): string {
  const d = c.glyphs.dot;
  const space = `space ${m.ui.paused ? 'resume' : 'pause'}`;
  const { left, right } = c.glyphs;
  const table = m.ui.table === 'processes' ? 'v services' : 'v processes';
  const hints = m.replay
    ? ['q quit', space, `${left}/${right} 1 min`, 'pgup/pgdn 10 min', 'home/end', 'g go to', '+/- speed', '? help']
    : ['q quit', space, 'tab focus', 'enter detail', 's sort', table, 'c CPUs', '/ filter', '? help'];
  const drop = m.replay
    ? ['+/- speed', 'home/end', 'pgup/pgdn 10 min', 'g go to', `${left}/${right} 1 min`, space]
    : ['c CPUs', 'tab focus', '/ filter', table, 's sort', 'enter detail', space];
  const text = (list: string[]) => ` ${list.join(` ${d} `)}`;
  let shown = hints;
  for (const hint of drop) {
    if (displayWidth(text(shown)) <= width) break;
    shown = shown.filter((h) => h !== hint);
  }
  return text(shown);
}

/** The last line, or lines: what is being typed, else a notice or warning and the key hints. */
function footer(m: ScreenModel, c: Canvas): string[] {
  const { theme, glyphs } = c;
  if (m.ui.timeInput !== undefined) return timePrompt(m, m.ui.timeInput, c);
  if (m.ui.filterEditing) {
    return [
      compose(
        c.cols,
        [
          { text: ' filter: ', paint: theme.label },
          { text: `${m.ui.filter}_`, width: 40 },
          { text: 'enter keep, esc clear', flex: true, paint: theme.dim },
        ],
        glyphs.ellipsis,
      ),
    ];
  }
  const parts: Part[] = [];
  const warnings = m.warnings ?? [];
  const notice =
    m.notice ??
    m.connectionDetail ??
    (warnings.length > 0
      ? `${warnings.length} warning${warnings.length === 1 ? '' : 's'}: ${warnings[warnings.length - 1]}`
      : undefined);
  const noticeWidth = notice ? Math.min(c.cols >> 1, notice.length + 2) : 0;
  if (notice) parts.push({ text: ` ${notice} `, width: noticeWidth, paint: theme.alert });
  parts.push({ text: keyHints(m, c, c.cols - noticeWidth), flex: true, paint: theme.dim });
  return [compose(c.cols, parts, glyphs.ellipsis)];
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
  const bottom = footer(m, c);
  const body = opts.rows - lines.length - bottom.length;
  if (m.ui.help) lines.push(...renderHelp(c, body, m.ui.scroll, m.replay !== undefined));
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
    // Grid first (what is saturated), then findings (what is wrong), then processes or services (who) get the rest.
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
      ...(m.ui.table === 'services'
        ? renderServices(m, c, processes, ctx.services)
        : renderProcesses(m, c, processes, ctx.processes)),
    );
  }
  while (lines.length < opts.rows - bottom.length) lines.push('');
  lines.length = opts.rows - bottom.length;
  lines.push(...bottom);
  return lines;
}
