import { catalogByName } from '../../src/catalog/index.js';
import {
  DIMENSIONS,
  type Finding,
  type Frame,
  type OomVictim,
  type ProcessEntry,
  type Resource,
} from '../../src/model/frame.js';
import { formatClock } from '../../src/text/clock.js';
import { CGROUP_EVENT_METRICS } from '../../src/tui/cgroups.js';
import { cellKey, gridRows, rowLabel } from '../../src/tui/lists.js';
import type { DetailTarget } from '../../src/tui/state.js';
import { evidenceMeasure, TUI_FIGURES } from '../../src/tui/view/findings.js';
import { findingFigures } from '../../src/use/finding-text.js';
import { processFields } from '../../src/use/process-fields.js';
import { formatSpan, formatValue } from '../../src/use/units.js';
import { HistoryChart } from '../chart.js';
import { type Child, h, patch } from '../dom.js';
import type { HeldFrame } from '../frames.js';
import type { PageModel } from '../model.js';
import { type CellHistory, PickedValues, seriesOf } from '../series.js';
import { cgroupBody, type EventValue } from './cgroup-detail.js';
import { commandLine } from './commands.js';
import { cellText, cellUnit } from './grid.js';
import { table } from './table.js';

/** A chart the detail shows: its title, unit and the value it takes from each held frame. */
interface ChartSpec {
  title: string;
  unit: string | undefined;
  pick: (h: HeldFrame) => number | undefined;
}

function targetTitle(t: DetailTarget): string {
  if (t.kind === 'resource') return rowLabel(t.resource, t.instance).trim();
  if (t.kind === 'finding') return t.finding.instance ? `${t.finding.rule}@${t.finding.instance}` : t.finding.rule;
  if (t.kind === 'cgroup') return `${t.cgroup.kind} ${t.cgroup.name}`;
  return `process ${t.process.pid}`;
}

function targetId(t: DetailTarget): string {
  if (t.kind === 'resource') return `r|${t.resource}|${t.instance}`;
  if (t.kind === 'cgroup') return `c|${t.cgroup.id}`;
  return t.kind === 'finding' ? `f|${t.finding.id}` : `p|${t.process.pid}`;
}

/** The frame's values of the metrics `keep` takes for the instance, with the catalog's descriptions. */
function metricsTable(f: Frame, instance: string, keep: (name: string) => boolean): HTMLElement {
  const names = Object.keys(f.metrics)
    .filter((name) => keep(name) && f.metrics[name][instance] !== undefined)
    .sort();
  const rows = names.map((name) => {
    const def = catalogByName.get(name);
    return [
      name,
      formatValue(f.metrics[name][instance], def?.unit),
      h('span', { class: 'dim' }, def?.description ?? ''),
    ];
  });
  return rows.length ? table(rows) : h('p', { class: 'dim' }, 'no metrics for this instance in the frame');
}

/** A cgroup's `cgroup.*` metrics. */
function cgroupMetrics(f: Frame, id: string): HTMLElement {
  return metricsTable(f, id, (name) => catalogByName.get(name)?.instance === 'cgroup');
}

function cellCharts(f: Frame, cells: CellHistory, resource: Resource, instance: string, only?: string): ChartSpec[] {
  const row = gridRows(f, true).find((r) => r.resource === resource && r.instance === instance);
  const specs: ChartSpec[] = [];
  for (const d of DIMENSIONS) {
    const cell = row?.cells[d];
    if (!cell || cell.status === 'gap' || (only !== undefined && only !== d)) continue;
    const key = cellKey(resource, instance, d);
    specs.push({
      title: `${d}${cell.metric ? ` (${cell.metric})` : ''}`,
      unit: cellUnit(cell),
      pick: (x) => cells.value(key, x),
    });
  }
  return specs;
}

function resourceBody(f: Frame, resource: Resource, instance: string): Child[] {
  const row = gridRows(f, true).find((r) => r.resource === resource && r.instance === instance);
  const active = f.findings.filter((x) => x.resource === resource && x.instance === instance && x.state !== 'resolved');
  const cells = DIMENSIONS.map((d) => {
    const cell = row?.cells[d];
    // The cell shows firing findings only; a pending one is said here so that "ok" does not mislead.
    const finding = active.find((x) => x.dimension === d);
    return [
      d,
      h('span', { class: `st-${cell?.status ?? 'none'}` }, cellText(cell) || '-'),
      cell?.status ?? 'no cell',
      finding ? `finding: ${finding.severity} ${finding.state}` : '',
      cell?.reason ?? cell?.metric ?? '',
    ];
  });
  const findings = f.findings.filter((x) => x.resource === resource && x.instance === instance);
  return [
    h('h3', {}, 'USE cells'),
    table(cells),
    h('h3', {}, 'Metrics'),
    metricsTable(f, instance, (name) => catalogByName.get(name)?.resource === resource),
    findings.length > 0 && h('h3', {}, 'Findings'),
    ...findings.map((x) => h('p', {}, `${x.severity} ${x.state}: ${x.summary}`)),
  ];
}

function processList(finding: Finding, list: readonly ProcessEntry[]): HTMLElement {
  if (list.length === 0) return h('p', { class: 'dim' }, 'none ranked');
  return table(
    list.map((p) => [String(p.pid), p.user, p.name, evidenceMeasure(finding, p), h('span', { class: 'cmd' }, p.cmd)]),
  );
}

/** The OOM killer's victims: dead by now, so in no process list; the kernel log named them. */
function victimList(victims: readonly OomVictim[]): HTMLElement {
  return table(
    victims.map((v) => [
      formatClock(v.ts),
      String(v.pid),
      v.name,
      v.rssBytes === undefined ? '' : `rss ${formatValue(v.rssBytes, 'bytes')}`,
    ]),
  );
}

function findingBody(f: Frame | undefined, captured: Finding): Child[] {
  const finding = f?.findings.find((x) => x.id === captured.id) ?? captured;
  const ev = finding.evidence;
  const now = f?.ts ?? finding.since;
  const when = [`since ${formatClock(finding.since)} (${formatSpan(now - finding.since)})`];
  if (finding.resolvedAt !== undefined) when.push(`resolved ${formatClock(finding.resolvedAt)}`);
  when.push(
    `threshold ${formatValue(ev.threshold, ev.unit)} (${finding.severity})`,
    `window ${formatSpan(ev.windowMs)}`,
  );
  const by = ev.rankedBy === undefined ? '' : `, ranked by ${ev.rankedBy.replace('_', ' ')}`;
  return [
    h(
      'p',
      {},
      h('span', { class: `sev st-${finding.severity}` }, `${finding.severity.toUpperCase()} ${finding.state}`),
      `  ${finding.rule} @ ${rowLabel(finding.resource, finding.instance).trim()}`,
    ),
    f && !f.findings.some((x) => x.id === captured.id) && h('p', { class: 'dim' }, 'no longer reported by the agent'),
    h('p', { class: 'summary' }, finding.summary),
    h('p', {}, findingFigures(finding, TUI_FIGURES)),
    h('p', {}, when.join('  ·  ')),
    ev.victims && ev.victims.length > 0 && h('h3', {}, 'Killed by the OOM killer (kernel log)'),
    ev.victims && ev.victims.length > 0 && victimList(ev.victims),
    ev.culprits && h('h3', {}, `Culprits when it fired at ${formatClock(ev.culprits.ts)}${by}`),
    ev.culprits && processList(finding, ev.culprits.processes),
    h('h3', {}, `Top processes now${by}`),
    processList(finding, ev.processes),
    finding.next.length > 0 && h('h3', {}, 'Next'),
    ...finding.next.map(commandLine),
  ];
}

function processBody(f: Frame | undefined, captured: ProcessEntry): Child[] {
  const pe = f?.processes.find((x) => x.pid === captured.pid) ?? captured;
  const fields = processFields(pe).map(([label, value]): Child[] =>
    label === 'state' && value === 'D' ? [label, 'D (uninterruptible: usually waiting on I/O)'] : [label, value],
  );
  return [table(fields)];
}

/**
 * What the charts and sums of a detail read from each held frame: the cells' history for a resource
 * or finding; for a service or a process, values picked from the frames, each frame decoded once.
 */
interface TargetHistory {
  charts: ChartSpec[];
  eventValue: EventValue;
}

function targetHistory(f: Frame, t: DetailTarget, cells: CellHistory, capacity: number): TargetHistory {
  const none: EventValue = () => undefined;
  if (t.kind === 'resource') return { charts: cellCharts(f, cells, t.resource, t.instance), eventValue: none };
  if (t.kind === 'finding') {
    const { resource, instance, dimension } = t.finding;
    return { charts: cellCharts(f, cells, resource, instance, dimension), eventValue: none };
  }
  if (t.kind === 'cgroup') {
    const id = t.cgroup.id;
    const names = ['cgroup.cpu.usage', 'cgroup.memory.working_set', ...CGROUP_EVENT_METRICS];
    const picked = new PickedValues(
      capacity,
      names.map((name) => (x: Frame) => x.metrics[name]?.[id]),
    );
    return {
      charts: [
        { title: 'cpu', unit: 'cpus', pick: (x) => picked.value(0, x) },
        { title: 'working set', unit: 'bytes', pick: (x) => picked.value(1, x) },
      ],
      eventValue: (name, x) => picked.value(names.indexOf(name), x),
    };
  }
  const pid = t.process.pid;
  const picked = new PickedValues(capacity, [(x) => x.processes.find((p) => p.pid === pid)?.cpu]);
  return { charts: [{ title: `cpu of ${pid}`, unit: 'ratio', pick: (x) => picked.value(0, x) }], eventValue: none };
}

function targetBody(m: PageModel, t: DetailTarget, held: readonly HeldFrame[], eventValue: EventValue): Child[] {
  if (t.kind === 'resource') return m.frame ? resourceBody(m.frame, t.resource, t.instance) : [];
  if (t.kind === 'finding') return findingBody(m.frame, t.finding);
  if (t.kind === 'cgroup') return cgroupBody(m.frame, t.cgroup, held, cgroupMetrics, eventValue);
  return processBody(m.frame, t.process);
}

/**
 * The detail of a resource row, a finding, a process or a service, over the page: what `top`'s detail shows,
 * with history charts of the cells (or the process's CPU) over the frames held. Charts stay while
 * the same target is open, so a zoom survives new frames.
 */
export class DetailView {
  private openId: string | undefined;
  private charts: { spec: ChartSpec; chart: HistoryChart }[] = [];
  private eventValue: EventValue = () => undefined;
  /** The keys' scroll position last applied: the mouse wheel scrolls the pane freely in between. */
  private scroll = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly chartsBox: HTMLElement,
    private readonly body: HTMLElement,
    private readonly title: HTMLElement,
    private readonly cells: CellHistory,
  ) {}

  render(m: PageModel): void {
    const t = m.ui.detail;
    if (this.root.hidden !== (t === undefined)) this.root.hidden = t === undefined;
    if (t === undefined) {
      this.close();
      return;
    }
    const id = targetId(t);
    if (id !== this.openId) {
      this.close();
      this.openId = id;
      const width = this.chartsBox.clientWidth || 480;
      if (m.frame) {
        const history = targetHistory(m.frame, t, this.cells, m.ring.capacity);
        this.charts = history.charts.map((spec) => ({ spec, chart: new HistoryChart(spec.title, spec.unit, width) }));
        this.eventValue = history.eventValue;
      }
      this.chartsBox.replaceChildren(...this.charts.map((c) => c.chart.element));
      this.title.textContent = `DETAIL ${targetTitle(t)}`;
    }
    const held = m.ring.upToShown();
    for (const { spec, chart } of this.charts) chart.update(seriesOf(held, spec.pick));
    patch(this.body, targetBody(m, t, held, this.eventValue));
    if (m.ui.scroll !== this.scroll) {
      this.scroll = m.ui.scroll;
      this.root.scrollTop = m.ui.scroll * 24;
    }
  }

  private close(): void {
    for (const c of this.charts) c.chart.destroy();
    this.charts = [];
    this.eventValue = () => undefined;
    this.openId = undefined;
    this.scroll = 0;
  }
}
