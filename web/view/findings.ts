import type { Finding } from '../../src/model/frame.js';
import { formatClock } from '../../src/text/clock.js';
import { rowLabel } from '../../src/tui/lists.js';
import { evidenceText, TUI_FIGURES } from '../../src/tui/view/findings.js';
import { findingFigures, victimsText } from '../../src/use/finding-text.js';
import { formatSpan } from '../../src/use/units.js';
import { h, patch } from '../dom.js';
import type { PageLists, PageModel } from '../model.js';
import { commandLine } from './commands.js';

/** CRIT / WARN when firing, lower case while pending, ok once resolved: `top`'s tags. */
function severityTag(f: Finding): string {
  if (f.state === 'resolved') return 'ok';
  const tag = f.severity === 'critical' ? 'CRIT' : 'WARN';
  return f.state === 'pending' ? tag.toLowerCase() : tag;
}

function findingItem(f: Finding, now: number, i: number, selected: boolean, focused: boolean): HTMLElement {
  const resolved = f.state === 'resolved';
  const when = resolved
    ? f.resolvedAt === undefined
      ? ''
      : `resolved ${formatSpan(now - f.resolvedAt)} ago`
    : `since ${formatClock(f.since)} (${formatSpan(now - f.since)})`;
  const item = h(
    'li',
    {
      class: `finding row sev-${f.severity} state-${f.state}${selected ? ' selected' : ''}${selected && focused ? ' focused' : ''}`,
      data: { pane: 'findings', index: String(i), rule: f.rule },
    },
    h(
      'div',
      { class: 'line' },
      h('span', { class: `sev ${resolved ? 'st-gap' : `st-${f.severity}`}` }, severityTag(f)),
      h('span', { class: 'where' }, rowLabel(f.resource, f.instance).trim()),
      h('span', { class: 'summary' }, f.summary),
      h('span', { class: 'age' }, when),
    ),
  );
  if (resolved) return item;
  const culprits = f.evidence.culprits;
  const fired = culprits && evidenceText(f, culprits.processes, 3);
  const current = evidenceText(f, f.evidence.processes, 3);
  item.append(h('div', { class: 'figures' }, findingFigures(f, TUI_FIGURES)));
  const killed = victimsText(f.evidence.victims, 3);
  if (killed) item.append(h('div', { class: 'victims' }, killed));
  if (fired) item.append(h('div', { class: 'culprits' }, `culprits at ${formatClock(culprits.ts)}: ${fired}`));
  if (current) item.append(h('div', { class: 'top-now' }, `top now: ${current}`));
  if (f.next.length > 0) item.append(h('div', { class: 'next' }, ...f.next.map(commandLine)));
  return item;
}

/** Active findings by severity, state and age with their evidence and next commands; resolved ones dimmed below. */
export function renderFindings(m: PageModel, lists: PageLists, root: HTMLElement): void {
  const focused = m.ui.focus === 'findings';
  const findings = lists.findings;
  const active = findings.filter((f) => f.state !== 'resolved').length;
  const note = `${active} active${findings.length > active ? `, ${findings.length - active} resolved` : ''}`;
  const title = h('h2', {}, 'FINDINGS', h('span', { class: 'aside' }, note));
  const now = m.frame?.ts ?? 0;
  const selected = Math.min(m.ui.selected.findings, findings.length - 1);
  const list =
    findings.length === 0
      ? h('p', { class: 'empty' }, m.frame ? 'no findings' : '')
      : h('ol', { class: 'findings' }, ...findings.map((f, i) => findingItem(f, now, i, i === selected, focused)));
  patch(root, [title, list]);
  root.classList.toggle('focused', focused);
}
