import { formatDuration } from '../checklist/duration.js';
import type { Finding, OomVictim, ProcessEntry } from '../model/frame.js';
import { formatValue, formatWaitingThreads } from './units.js';

/** How a view writes values, times of day and durations. */
export interface FigureFormat {
  value(value: number, unit: string | undefined): string;
  clock(ts: number): string;
  duration(ms: number): string;
}

/**
 * The figures of every view: values in the one spelling of their unit, a rule's durations as a
 * checklist writes them, times of day as the view states them (local on the screen, UTC in a report).
 */
export function figureFormat(clock: (ts: number) => string): FigureFormat {
  return { value: formatValue, clock, duration: formatDuration };
}

/**
 * Which figures a finding reports, each named: the episode's peak, the value on the sample it fired,
 * (for a finding judged over a check's window, its first sample), the latest sample ("now"), and
 * whether it is clearing. The summary line carries the peak with the
 * threshold of the current severity; this line says how the value moved since.
 */
export function findingFigures(f: Finding & { sustainedThroughWindow?: true }, fmt: FigureFormat): string {
  const ev = f.evidence;
  const v = (n: number) => fmt.value(n, ev.unit);
  const parts: string[] = [];
  if (ev.peak !== undefined) parts.push(`peak ${v(ev.peak)}`);
  if (ev.firedAt !== undefined && ev.firedValue !== undefined) {
    // A finding judged over a check's window fired on none of its samples: it counts from the first.
    const when = f.sustainedThroughWindow ? "on the window's first sample" : 'when it fired';
    parts.push(`${v(ev.firedValue)} ${when} at ${fmt.clock(ev.firedAt)}`);
  }
  parts.push(`${f.state === 'resolved' ? 'last' : 'now'} ${v(ev.value)}`);
  let text = parts.join(', ');
  if (f.state === 'pending') text = `pending: ${text}`;
  if (ev.clearingSince !== undefined) {
    const after = ev.clearForMs === undefined ? '' : `, resolves after ${fmt.duration(ev.clearForMs)} there`;
    text += `; clearing: back at its clear level since ${fmt.clock(ev.clearingSince)}${after}`;
  }
  return text;
}

/** The process figure a drilldown ranks by, labelled, so that a ranked list reads as sorted. */
export function rankedMeasure(p: ProcessEntry, measure: string, fmt: Pick<FigureFormat, 'value'>): string {
  switch (measure) {
    case 'cpu':
      return `cpu ${fmt.value(p.cpu, 'ratio')}`;
    case 'memory':
      return `rss ${fmt.value(p.rssBytes, 'bytes')}`;
    case 'io':
      return `io ${fmt.value((p.readBps ?? 0) + (p.writeBps ?? 0), 'bytes_per_s')}${p.state === 'D' ? ' (D state)' : ''}`;
    case 'run_delay':
      return `run delay ${formatWaitingThreads(p.runDelay)} threads waiting`;
    case 'fds':
      return p.fds === undefined ? 'fds -' : `fds ${p.fds}${p.fdLimit ? `/${p.fdLimit}` : ''}`;
    case 'threads':
      return `${p.threads} threads`;
    case 'faults':
      return `majflt ${fmt.value(p.majorFaultsPs ?? 0, 'per_s')}`;
    default:
      return '';
  }
}

/** The measure that matters for a resource, for findings that do not say what they rank by. */
const MEASURE_OF_RESOURCE: Record<string, string> = {
  cpu: 'cpu',
  memory: 'memory',
  disk: 'io',
  filesystem: 'io',
  fd: 'fds',
  tasks: 'threads',
};

/** The figure shown next to a finding's process: the one it is ranked by, else the one its resource needs. */
export function findingMeasure(
  f: { resource: string; evidence: { rankedBy?: string } },
  p: ProcessEntry,
  fmt: Pick<FigureFormat, 'value'>,
): string {
  return rankedMeasure(p, f.evidence.rankedBy ?? MEASURE_OF_RESOURCE[f.resource] ?? '', fmt);
}

/** "name(pid) figure, …": the first `limit` processes of a list, each with the figure the finding ranks by. */
export function processListText(
  f: { resource: string; evidence: { rankedBy?: string } },
  list: readonly ProcessEntry[],
  limit: number,
  fmt: Pick<FigureFormat, 'value'>,
): string {
  return list
    .slice(0, limit)
    .map((p) => {
      const measure = findingMeasure(f, p, fmt);
      return `${p.name}(${p.pid})${measure ? ` ${measure}` : ''}`;
    })
    .join(', ');
}

/**
 * Every figure of a process worth showing, labelled: the one it is ranked by first, then cpu and rss,
 * then those it has (I/O, run delay, major faults, fds against their limit).
 */
export function processFigures(
  p: ProcessEntry,
  rankedBy: string | undefined,
  fmt: Pick<FigureFormat, 'value'>,
): string[] {
  const measures = ['cpu', 'memory'];
  if ((p.readBps ?? 0) + (p.writeBps ?? 0) > 0) measures.push('io');
  if (p.runDelay !== undefined && p.runDelay > 0) measures.push('run_delay');
  if (p.majorFaultsPs !== undefined && p.majorFaultsPs > 0) measures.push('faults');
  if (p.fds !== undefined && p.fdLimit) measures.push('fds');
  const order = rankedBy === undefined ? measures : [rankedBy, ...measures.filter((m) => m !== rankedBy)];
  return order.map((m) => rankedMeasure(p, m, fmt)).filter((text) => text !== '');
}

/**
 * "killed: stress-ng-vm (1234), java (4242), 3 more": the first `limit` OOM victims, oldest first,
 * "" when the finding has none. Without `countRest` the text names those only, so it stays the same
 * as later kills add to the list.
 */
export function victimsText(victims: readonly OomVictim[] | undefined, limit: number, countRest = true): string {
  if (victims === undefined || victims.length === 0) return '';
  const named = victims.slice(0, limit).map((v) => `${v.name} (${v.pid})`);
  if (countRest && victims.length > limit) named.push(`${victims.length - limit} more`);
  return `killed: ${named.join(', ')}`;
}
