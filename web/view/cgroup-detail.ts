import { catalogByName } from '../../src/catalog/index.js';
import type { CgroupEntry } from '../../src/model/cgroup.js';
import type { Frame } from '../../src/model/frame.js';
import { CGROUP_EVENT_METRICS, isCgroupInstance, processesOf } from '../../src/tui/cgroups.js';
import { cgroupEntry } from '../../src/tui/lists.js';
import { cgroupIdentityFields } from '../../src/tui/view/cgroup-detail.js';
import { formatSpan, formatValue } from '../../src/use/units.js';
import type { Child } from '../dom.js';
import { h } from '../dom.js';
import type { HeldFrame } from '../frames.js';
import { table } from './table.js';

function limitOf(value: number | undefined, unit: string): string {
  return value === undefined ? 'none' : formatValue(value, unit);
}

function limits(entry: CgroupEntry): Child[][] {
  return [
    ['cpu', entry.cpuLimit === undefined ? 'none' : `${formatValue(entry.cpuLimit, 'cpus')} CPUs (quota / period)`],
    ['memory.max', limitOf(entry.memoryMaxBytes, 'bytes')],
    ['memory.high', limitOf(entry.memoryHighBytes, 'bytes')],
    ['pids.max', limitOf(entry.pidsMax, 'count')],
  ];
}

/** A held frame's value of one of CGROUP_EVENT_METRICS for the cgroup shown. */
export type EventValue = (name: string, h: HeldFrame) => number | undefined;

/** Each event count on the frame shown and summed over the frames held up to it. */
function events(f: Frame, id: string, held: readonly HeldFrame[], eventValue: EventValue): Child[][] {
  const span = held.length > 0 ? formatSpan(f.ts - held[0].ts) : '0s';
  const rows: Child[][] = [
    ['', h('span', { class: 'dim' }, 'this sample'), h('span', { class: 'dim' }, `last ${span}`)],
  ];
  for (const name of CGROUP_EVENT_METRICS) {
    let sum: number | undefined;
    for (const x of held) {
      const v = eventValue(name, x);
      if (v !== undefined) sum = (sum ?? 0) + v;
    }
    const label = catalogByName.get(name)?.description ?? name;
    rows.push([label, formatValue(f.metrics[name]?.[id], 'count'), formatValue(sum, 'count')]);
  }
  return rows;
}

/** Its own findings, then the host-wide findings that rank it among their culprits. */
function findings(f: Frame, id: string): Child[] {
  const own = f.findings.filter((x) => x.instance === id && isCgroupInstance(x.resource, x.instance));
  const ranked = f.findings.flatMap((x) => {
    const culprit = x.evidence.cgroups?.find((cg) => cg.id === id);
    return culprit ? [`culprit of ${x.rule} (${x.state}): ${formatValue(culprit.value, culprit.unit)}`] : [];
  });
  if (own.length === 0 && ranked.length === 0) return [];
  return [
    h('h3', {}, 'Findings'),
    ...own.map((x) => h('p', {}, `${x.severity} ${x.state}: ${x.summary}`)),
    ...ranked.map((text) => h('p', {}, text)),
  ];
}

/**
 * The detail of a service or container, as `top`'s: who it is, its limits, its `cgroup.*` metrics,
 * its events, its processes among the frame's top processes and its findings.
 */
export function cgroupBody(
  f: Frame | undefined,
  captured: CgroupEntry,
  held: readonly HeldFrame[],
  metrics: (f: Frame, instance: string) => HTMLElement,
  eventValue: EventValue,
): Child[] {
  const current = f && cgroupEntry(f, captured.id);
  const entry = current ?? captured;
  const head: Child[] = [
    table(cgroupIdentityFields(entry)),
    f && !current && h('p', { class: 'dim' }, 'not carried on this sample: no longer among the top cgroups'),
    h('h3', {}, 'Limits'),
    table(limits(entry)),
  ];
  if (!f) return head;
  const processes = processesOf(f, captured.id);
  return [
    ...head,
    h('h3', {}, 'Metrics'),
    metrics(f, captured.id),
    h('h3', {}, 'Events'),
    table(events(f, captured.id, held, eventValue)),
    h('h3', {}, 'Processes (among the top processes of the sample)'),
    processes.length === 0
      ? h('p', { class: 'dim' }, 'none among them')
      : table(
          processes.map((p) => [
            String(p.pid),
            p.user,
            p.name,
            `cpu ${formatValue(p.cpu, 'ratio')}  rss ${formatValue(p.rssBytes, 'bytes')}`,
            h('span', { class: 'cmd' }, p.cmd),
          ]),
        ),
    ...findings(f, captured.id),
  ];
}
