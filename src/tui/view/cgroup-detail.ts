import { catalogByName } from '../../catalog/index.js';
import type { CgroupEntry } from '../../model/cgroup.js';
import type { Frame } from '../../model/frame.js';
import { formatValue } from '../../use/units.js';
import { CGROUP_EVENT_METRICS, cgroupEventKey, isCgroupInstance, processesOf } from '../cgroups.js';
import type { HistoryView } from '../history.js';
import { cgroupEntry } from '../lists.js';
import type { Canvas, ScreenModel } from './model.js';
import { metricsSection, type Page, processTable } from './page.js';

/** The span the detail totals events over: the history the view keeps. */
const EVENT_WINDOW_MS = 60_000;

const EVENT_LABELS: Record<(typeof CGROUP_EVENT_METRICS)[number], string> = {
  'cgroup.memory.oom_kills': 'OOM kills',
  'cgroup.memory.high_events': 'memory.high events',
  'cgroup.memory.max_events': 'memory.max events',
  'cgroup.pids.fork_failures': 'fork failures',
};

function limitOf(value: number | undefined, unit: string): string {
  return value === undefined ? 'none' : formatValue(value, unit);
}

/** Who the cgroup is, as label and value: the page's detail shows the same fields. */
export function cgroupIdentityFields(entry: CgroupEntry): [string, string][] {
  const fields: [string, string][] = [
    ['name', entry.name],
    ['kind', entry.runtime ? `${entry.kind} (${entry.runtime})` : entry.kind],
    ['id', entry.id],
  ];
  if (entry.namespace !== undefined) fields.push(['namespace', entry.namespace]);
  if (entry.pod !== undefined) fields.push(['pod', entry.pod]);
  if (entry.container !== undefined) fields.push(['container', entry.container]);
  if (entry.processes !== undefined) fields.push(['processes', String(entry.processes)]);
  return fields;
}

function identity(p: Page, entry: CgroupEntry, carried: boolean, c: Canvas): void {
  p.lines.push('');
  p.fields(cgroupIdentityFields(entry));
  if (!carried) p.text('not carried on this sample: no longer among the top cgroups', 3, c.theme.dim);
  p.heading('Limits');
  const cpus = entry.cpuLimit === undefined ? '' : formatValue(entry.cpuLimit, 'cpus');
  const cpu = entry.cpuLimit === undefined ? 'none' : `${cpus} CPU${cpus === '1' ? '' : 's'} (quota / period)`;
  p.fields([
    ['cpu', cpu],
    ['memory.max', limitOf(entry.memoryMaxBytes, 'bytes')],
    ['memory.high', limitOf(entry.memoryHighBytes, 'bytes')],
    ['pids.max', limitOf(entry.pidsMax, 'count')],
  ]);
}

function total(history: HistoryView, key: string, toTs: number): number | undefined {
  const { values, start, end } = history.points(key, toTs - EVENT_WINDOW_MS, toTs);
  let sum: number | undefined;
  for (let i = start; i < end; i++) if (!Number.isNaN(values[i])) sum = (sum ?? 0) + values[i];
  return sum;
}

/** Each event count on this sample and summed over the last minute the view has seen. */
function events(p: Page, m: ScreenModel, f: Frame, id: string, c: Canvas): void {
  p.heading('Events');
  p.row([
    { text: '', width: 3 },
    { text: '', width: 22 },
    { text: 'this sample', width: 12, align: 'right', paint: c.theme.dim },
    { text: 'last 60s', width: 12, align: 'right', paint: c.theme.dim },
  ]);
  for (const name of CGROUP_EVENT_METRICS) {
    const now = f.metrics[name]?.[id];
    const sum = total(m.history, cgroupEventKey(id, name), f.ts);
    p.row([
      { text: '', width: 3 },
      { text: EVENT_LABELS[name], width: 22 },
      { text: formatValue(now, 'count'), width: 12, align: 'right', paint: now ? c.theme.alert : undefined },
      { text: formatValue(sum, 'count'), width: 12, align: 'right', paint: sum ? c.theme.alert : undefined },
    ]);
  }
}

/** Its own findings, then the host-wide findings that rank it among their culprits. */
function findings(p: Page, f: Frame, id: string): void {
  const own = f.findings.filter((x) => x.instance === id && isCgroupInstance(x.resource, x.instance));
  const ranked = f.findings.flatMap((x) => {
    const culprit = x.evidence.cgroups?.find((cg) => cg.id === id);
    return culprit ? [{ finding: x, culprit }] : [];
  });
  if (own.length === 0 && ranked.length === 0) return;
  p.heading('Findings');
  for (const x of own) p.text(`${x.severity} ${x.state}: ${x.summary}`);
  for (const { finding, culprit } of ranked)
    p.text(`culprit of ${finding.rule} (${finding.state}): ${formatValue(culprit.value, culprit.unit)}`);
}

/** The detail page of a service or container: who it is, its limits, metrics, events, processes, findings. */
export function cgroupDetail(p: Page, m: ScreenModel, captured: CgroupEntry, c: Canvas): void {
  const f = m.frame;
  const current = f && cgroupEntry(f, captured.id);
  identity(p, current ?? captured, current !== undefined, c);
  if (!f) return;
  metricsSection(p, f, captured.id, (name) => catalogByName.get(name)?.instance === 'cgroup', c);
  events(p, m, f, captured.id, c);
  const processes = processesOf(f, captured.id);
  p.heading('Processes (among the top processes of the sample)');
  if (processes.length === 0) p.text('none among them', 3, c.theme.dim);
  processTable(p, processes, (pe) => `cpu ${formatValue(pe.cpu, 'ratio')}  rss ${formatValue(pe.rssBytes, 'bytes')}`);
  findings(p, f, captured.id);
}
