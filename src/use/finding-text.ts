import type { Finding, ProcessEntry } from '../model/frame.js';

/** How a view writes values, times of day and durations; the report and the TUI each pass their own. */
export interface FigureFormat {
  value(value: number, unit: string | undefined): string;
  clock(ts: number): string;
  duration(ms: number): string;
}

/**
 * Which figures a finding reports, each named: the episode's peak, the value on the sample it fired,
 * the latest sample ("now"), and whether it is clearing. The summary line carries the peak with the
 * threshold of the current severity; this line says how the value moved since.
 */
export function findingFigures(f: Finding, fmt: FigureFormat): string {
  const ev = f.evidence;
  const v = (n: number) => fmt.value(n, ev.unit);
  const parts: string[] = [];
  if (ev.peak !== undefined) parts.push(`peak ${v(ev.peak)}`);
  if (ev.firedAt !== undefined && ev.firedValue !== undefined) {
    parts.push(`${v(ev.firedValue)} when it fired at ${fmt.clock(ev.firedAt)}`);
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
      return `run delay ${p.runDelay === undefined ? '-' : p.runDelay.toFixed(2)} threads waiting`;
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
