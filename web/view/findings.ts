import type { Finding } from '../../src/model/frame.js';
import { formatClock } from '../../src/text/clock.js';
import { rowLabel } from '../../src/tui/lists.js';
import { evidenceText, TUI_FIGURES } from '../../src/tui/view/findings.js';
import { findingFigures, victimsText } from '../../src/use/finding-text.js';
import { formatSpan } from '../../src/use/units.js';
import { type Child, patch, type VNode, v } from '../dom.js';
import type { PageLists, PageModel } from '../model.js';
import { commandLine } from './commands.js';

/** CRIT / WARN when firing, lower case while pending, ok once resolved: `top`'s tags. */
function severityTag(f: Finding): string {
  if (f.state === 'resolved') return 'ok';
  const tag = f.severity === 'critical' ? 'CRIT' : 'WARN';
  return f.state === 'pending' ? tag.toLowerCase() : tag;
}

function findingItem(f: Finding, now: number, i: number, selected: boolean, focused: boolean): VNode {
  const resolved = f.state === 'resolved';
  const when = resolved
    ? f.resolvedAt === undefined
      ? ''
      : `resolved ${formatSpan(now - f.resolvedAt)} ago`
    : `since ${formatClock(f.since)} (${formatSpan(now - f.since)})`;
  const line = v(
    'div',
    { class: 'line' },
    v('span', { class: `sev ${resolved ? 'st-gap' : `st-${f.severity}`}` }, severityTag(f)),
    v('span', { class: 'where' }, rowLabel(f.resource, f.instance).trim()),
    v('span', { class: 'summary' }, f.summary),
    v('span', { class: 'age' }, when),
  );
  const props = {
    class: `finding row sev-${f.severity} state-${f.state}${selected ? ' selected' : ''}${selected && focused ? ' focused' : ''}`,
    data: { pane: 'findings', index: String(i), rule: f.rule },
  };
  if (resolved) return v('li', props, line);
  const culprits = f.evidence.culprits;
  const fired = culprits && evidenceText(f, culprits.processes, 3);
  const current = evidenceText(f, f.evidence.processes, 3);
  const killed = victimsText(f.evidence.victims, 3);
  const more: Child[] = [
    v('div', { class: 'figures' }, findingFigures(f, TUI_FIGURES)),
    killed ? v('div', { class: 'victims' }, killed) : undefined,
    fired ? v('div', { class: 'culprits' }, `culprits at ${formatClock(culprits.ts)}: ${fired}`) : undefined,
    current ? v('div', { class: 'top-now' }, `top now: ${current}`) : undefined,
    f.next.length > 0 && v('div', { class: 'next' }, ...f.next.map(commandLine)),
  ];
  return v('li', props, line, ...more);
}

/** Active findings by severity, state and age with their evidence and next commands; resolved ones dimmed below. */
export function renderFindings(m: PageModel, lists: PageLists, root: HTMLElement): void {
  const focused = m.ui.focus === 'findings';
  const findings = lists.findings;
  const active = findings.filter((f) => f.state !== 'resolved').length;
  const note = `${active} active${findings.length > active ? `, ${findings.length - active} resolved` : ''}`;
  const title = v('h2', {}, 'FINDINGS', v('span', { class: 'aside' }, note));
  const now = m.frame?.ts ?? 0;
  const selected = Math.min(m.ui.selected.findings, findings.length - 1);
  const list =
    findings.length === 0
      ? v('p', { class: 'empty' }, m.frame ? 'no findings' : '')
      : v('ol', { class: 'findings' }, ...findings.map((f, i) => findingItem(f, now, i, i === selected, focused)));
  patch(root, [title, list]);
  root.classList.toggle('focused', focused);
}
