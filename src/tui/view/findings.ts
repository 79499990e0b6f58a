import type { Finding, Frame, ProcessEntry } from '../../model/frame.js';
import { formatClock } from '../../text/clock.js';
import { figureFormat, findingFigures, findingMeasure, processListText, victimsText } from '../../use/finding-text.js';
import { formatSpan } from '../../use/units.js';
import { rowLabel } from '../lists.js';
import { compose } from './compose.js';
import type { Canvas, ScreenModel } from './model.js';
import { titleLine } from './section.js';

/** How the finding views write figures: local clock times. */
export const TUI_FIGURES = figureFormat(formatClock);

/**
 * The per-process figure shown next to each evidence process: the measure the finding ranks them by
 * (so the list reads as sorted), or for frames that do not say, the one that matters for the resource.
 */
export function evidenceMeasure(f: Pick<Finding, 'resource' | 'evidence'>, p: ProcessEntry): string {
  return findingMeasure(f, p, TUI_FIGURES);
}

export function evidenceText(f: Finding, list: readonly ProcessEntry[], limit: number): string {
  return processListText(f, list, limit, TUI_FIGURES);
}

/** Lines a finding takes: active ones show evidence and next commands under the summary. */
export function findingHeight(f: Finding): number {
  return f.state === 'resolved' ? 1 : 2;
}

/** "CRIT"/"WARN" for a firing finding, lower case while pending. */
export function severityTag(f: Finding): string {
  const tag = f.severity === 'critical' ? 'CRIT' : 'WARN';
  return f.state === 'pending' ? tag.toLowerCase() : tag;
}

function findingLines(f: Finding, frame: Frame | undefined, selected: boolean, c: Canvas): string[] {
  const now = frame?.ts ?? 0;
  const { theme, glyphs } = c;
  const resolved = f.state === 'resolved';
  const marker = { text: selected ? glyphs.select : '', width: 2 };
  const where = rowLabel(f.resource, f.instance, frame).trim();
  if (resolved) {
    const ago = f.resolvedAt === undefined ? '' : `resolved ${formatSpan(now - f.resolvedAt)} ago`;
    return [
      compose(
        c.cols,
        [
          marker,
          { text: 'ok', width: 5, paint: theme.dim },
          { text: where, width: 14, paint: theme.dim },
          { text: f.summary, flex: true, paint: selected ? theme.selected : theme.dim },
          { text: ` ${ago}`, width: c.cols >= 100 ? 22 : 18, align: 'right', paint: theme.dim },
        ],
        glyphs.ellipsis,
      ),
    ];
  }
  const age = formatSpan(now - f.since);
  const since = c.cols >= 100 ? `since ${formatClock(f.since)} (${age})` : `for ${age}`;
  const culprits = f.evidence.culprits;
  const fired = culprits && evidenceText(f, culprits.processes, 3);
  const current = evidenceText(f, f.evidence.processes, 3);
  const next = f.next.join('; ');
  const detail = [
    findingFigures(f, TUI_FIGURES),
    victimsText(f.evidence.victims, 3),
    fired && `culprits at ${formatClock(culprits.ts)}: ${fired}`,
    current && `top now: ${current}`,
    next && `next: ${next}`,
  ]
    .filter(Boolean)
    .join(` ${glyphs.dot} `);
  return [
    compose(
      c.cols,
      [
        marker,
        { text: severityTag(f), width: 5, paint: theme.severity[f.severity] },
        { text: where, width: 14, paint: theme.label },
        { text: f.summary, flex: true, paint: selected ? theme.selected : undefined },
        { text: ` ${since}`, width: c.cols >= 100 ? 25 : 11, align: 'right' },
      ],
      glyphs.ellipsis,
    ),
    compose(
      c.cols,
      [
        { text: '', width: 7 },
        { text: detail || '(no evidence)', flex: true, paint: theme.dim },
      ],
      glyphs.ellipsis,
    ),
  ];
}

/** Findings by severity and age, with evidence and next commands; resolved ones dimmed below them. */
export function renderFindings(m: ScreenModel, c: Canvas, height: number, findings: readonly Finding[]): string[] {
  const focused = m.ui.focus === 'findings' && !m.ui.detail && !m.ui.help;
  const active = findings.filter((f) => f.state !== 'resolved').length;
  const note = `${active} active${findings.length > active ? `, ${findings.length - active} resolved` : ''}`;
  const lines = [titleLine('FINDINGS', focused, c, note)];
  if (height <= 1) return lines.slice(0, height);
  if (findings.length === 0) {
    lines.push(c.theme.dim(m.frame ? '  no findings' : ''));
    return lines;
  }
  const selected = Math.min(m.ui.selected.findings, findings.length - 1);
  // Scroll by findings, keeping the selected one (all its lines) on screen.
  let start = 0;
  let used = 0;
  for (let i = selected; i >= 0; i--) {
    used += findingHeight(findings[i]);
    if (used > height - 1) break;
    start = i;
  }
  for (let i = start; i < findings.length && lines.length < height; i++) {
    for (const line of findingLines(findings[i], m.frame, focused && i === selected, c)) {
      if (lines.length < height) lines.push(line);
    }
  }
  return lines;
}
