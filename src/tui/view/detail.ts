import { catalogByName } from '../../catalog/index.js';
import { formatDuration } from '../../checklist/duration.js';
import {
  DIMENSIONS,
  type Finding,
  type Frame,
  type OomVictim,
  type ProcessEntry,
  type Resource,
} from '../../model/frame.js';
import { formatClock } from '../../text/clock.js';
import { findingFigures } from '../../use/finding-text.js';
import { processFields } from '../../use/process-fields.js';
import { formatSpan, formatValue } from '../../use/units.js';
import { isCgroupInstance } from '../cgroups.js';
import { gridRows, processUnit, rowLabel } from '../lists.js';
import type { DetailTarget } from '../state.js';
import { cgroupDetail } from './cgroup-detail.js';
import { compose } from './compose.js';
import { evidenceMeasure, TUI_FIGURES } from './findings.js';
import { unitOf } from './grid.js';
import type { Canvas, RuleInfo, ScreenModel } from './model.js';
import { metricsSection, metricUnit, Page, processTable } from './page.js';

function threshold(rule: RuleInfo, instance: string, m: ScreenModel): string {
  const t = m.rules?.thresholdsFor?.(rule.id, instance) ?? { warn: rule.warn, crit: rule.crit };
  if (!t) return 'disabled for this instance';
  const unit = metricUnit(rule.metric);
  const parts = [`${rule.direction}`];
  if (t.warn !== undefined) parts.push(`warn ${formatValue(t.warn, unit)}`);
  if (t.crit !== undefined) parts.push(`crit ${formatValue(t.crit, unit)}`);
  if ('clear' in t && t.clear !== undefined) parts.push(`clear ${formatValue(t.clear, unit)}`);
  parts.push(`for ${formatDuration(rule.forMs)}`);
  return parts.join(' ');
}

function rulesSection(p: Page, m: ScreenModel, rules: RuleInfo[], instance: string, c: Canvas): void {
  if (rules.length === 0) return;
  p.heading('Rules');
  for (const rule of rules) {
    p.row([
      { text: '', width: 3 },
      { text: rule.id, width: 34, paint: c.theme.label },
      { text: `${rule.metric} ${threshold(rule, instance, m)}`, flex: true },
    ]);
    if (rule.explain) p.text(rule.explain, 5, c.theme.dim);
  }
}

function resourceDetail(p: Page, m: ScreenModel, f: Frame, resource: Resource, instance: string, c: Canvas): void {
  const row = gridRows(f, true).find((r) => r.resource === resource && r.instance === instance);
  p.heading('USE cells');
  const active = f.findings.filter((x) => x.resource === resource && x.instance === instance && x.state !== 'resolved');
  for (const d of DIMENSIONS) {
    const cell = row?.cells[d];
    const status = cell?.status;
    const value = cell ? formatValue(cell.value, unitOf(cell)) : '-';
    // The cell shows firing findings only; a pending one is said here so that "ok" does not mislead.
    const finding = active.find((x) => x.dimension === d);
    p.row([
      { text: '', width: 3 },
      { text: d, width: 13 },
      {
        text: cell?.status === 'gap' ? 'gap' : value,
        width: 9,
        align: 'right',
        paint: status && c.theme.status[status],
      },
      { text: ' ', width: 2 },
      { text: status ?? (cell ? 'no rule' : 'no cell'), width: 9 },
      {
        text: finding ? `finding: ${finding.severity} ${finding.state}` : '',
        // One column for every row once any cell has a finding, so the reasons below line up.
        width: active.length > 0 ? 27 : 0,
        paint: finding && c.theme.severity[finding.severity],
      },
      { text: cell?.reason ?? cell?.metric ?? '', flex: true, paint: c.theme.dim },
    ]);
  }
  // The host's rows and a cgroup's rows of one resource have rules of their own.
  const perCgroup = isCgroupInstance(resource, instance);
  const rules = (m.rules?.rules ?? []).filter(
    (r) => r.resource === resource && (catalogByName.get(r.metric)?.instance === 'cgroup') === perCgroup,
  );
  rulesSection(p, m, rules, instance, c);
  metricsSection(p, f, instance, (name) => catalogByName.get(name)?.resource === resource, c);
  const findings = f.findings.filter((x) => x.resource === resource && x.instance === instance);
  if (findings.length > 0) {
    p.heading('Findings');
    for (const x of findings) p.text(`${x.severity} ${x.state}: ${x.summary}`);
  }
}

/** The OOM killer's victims: dead by now, so in no process table; the kernel log named them. */
function victimsSection(p: Page, victims: readonly OomVictim[] | undefined, c: Canvas): void {
  if (victims === undefined || victims.length === 0) return;
  p.heading('Killed by the OOM killer (kernel log)');
  for (const v of victims) {
    p.row([
      { text: '', width: 3 },
      { text: formatClock(v.ts), width: 10, paint: c.theme.dim },
      { text: `${v.name} (${v.pid})`, width: 26 },
      { text: v.rssBytes === undefined ? '' : `rss ${formatValue(v.rssBytes, 'bytes')}`, flex: true },
    ]);
  }
}

function findingDetail(p: Page, m: ScreenModel, f: Frame | undefined, captured: Finding, c: Canvas): void {
  const finding = f?.findings.find((x) => x.id === captured.id) ?? captured;
  const now = f?.ts ?? finding.since;
  const unit = metricUnit(m.rules?.rules.find((r) => r.id === finding.rule)?.metric ?? '');
  p.row([
    { text: ' ' },
    { text: `${finding.severity.toUpperCase()} ${finding.state}`, paint: c.theme.severity[finding.severity] },
    {
      text: `  ${finding.rule} @ ${rowLabel(finding.resource, finding.instance, f).trim()}`,
      flex: true,
      paint: c.theme.label,
    },
  ]);
  if (f && !f.findings.some((x) => x.id === captured.id)) p.text('no longer reported by the source', 3, c.theme.dim);
  p.text(finding.summary);
  const ev = finding.evidence;
  p.text(findingFigures({ ...finding, evidence: { ...ev, unit: ev.unit ?? unit } }, TUI_FIGURES));
  const when = [`since ${formatClock(finding.since)} (${formatSpan(now - finding.since)})`];
  if (finding.resolvedAt !== undefined) when.push(`resolved ${formatClock(finding.resolvedAt)}`);
  when.push(
    `threshold ${formatValue(ev.threshold, ev.unit ?? unit)} (${finding.severity})`,
    `window ${formatSpan(ev.windowMs)}`,
  );
  p.text(when.join(`  ${c.glyphs.dot}  `));
  const rule = m.rules?.rules.find((r) => r.id === finding.rule);
  if (rule) rulesSection(p, m, [rule], finding.instance, c);
  const by = ev.rankedBy === undefined ? '' : `, ranked by ${ev.rankedBy.replace('_', ' ')}`;
  victimsSection(p, ev.victims, c);
  if (ev.culprits !== undefined) {
    p.heading(`Culprits when it fired at ${formatClock(ev.culprits.ts)}${by}`);
    if (ev.culprits.processes.length === 0) p.text('none ranked', 3, c.theme.dim);
    processTable(p, ev.culprits.processes, (pe) => evidenceMeasure(finding, pe));
  }
  p.heading(`Top processes now${by}`);
  if (ev.processes.length === 0) p.text('none recorded', 3, c.theme.dim);
  processTable(p, ev.processes, (pe) => evidenceMeasure(finding, pe));
  if (finding.next.length > 0) {
    p.heading('Next');
    for (const cmd of finding.next)
      p.row([
        { text: '', width: 3 },
        { text: `$ ${cmd}`, flex: true, paint: c.theme.accent },
      ]);
  }
}

function processDetail(p: Page, f: Frame | undefined, captured: ProcessEntry): void {
  const pe = f?.processes.find((x) => x.pid === captured.pid) ?? captured;
  const unit = processUnit(f, pe);
  p.lines.push('');
  p.fields([
    ...processFields(pe),
    ['unit', pe.cgroup === undefined ? '-' : unit === pe.cgroup ? unit : `${unit}  ${pe.cgroup}`],
  ]);
}

function targetTitle(t: DetailTarget, f: Frame | undefined): string {
  if (t.kind === 'resource') return rowLabel(t.resource, t.instance, f).trim();
  if (t.kind === 'cgroup') return `${t.cgroup.kind} ${t.cgroup.name}`;
  // The finding's id ends in "@" for a host-wide finding ("cpu.saturation.psi@"): the title names the instance only when there is one.
  if (t.kind === 'finding') return t.finding.instance ? `${t.finding.rule}@${t.finding.instance}` : t.finding.rule;
  return `process ${t.process.pid}`;
}

/** The detail page of a resource row, a finding or a process; `height` lines from the scroll position. */
export function renderDetail(m: ScreenModel, c: Canvas, height: number, target: DetailTarget): string[] {
  const p = new Page(c);
  if (target.kind === 'resource') {
    if (m.frame) resourceDetail(p, m, m.frame, target.resource, target.instance, c);
  } else if (target.kind === 'finding') findingDetail(p, m, m.frame, target.finding, c);
  else if (target.kind === 'cgroup') cgroupDetail(p, m, target.cgroup, c);
  else processDetail(p, m.frame, target.process);
  const title = compose(
    c.cols,
    [
      { text: c.glyphs.rule },
      { text: ` DETAIL ${targetTitle(target, m.frame)} `, paint: c.theme.selected },
      { text: ` esc back ${c.glyphs.dot} up/down scroll`, flex: true, paint: c.theme.dim },
    ],
    c.glyphs.ellipsis,
  );
  const start = Math.min(m.ui.scroll, Math.max(0, p.lines.length - (height - 1)));
  return [title, ...p.lines.slice(start, start + height - 1)];
}
