import type { ProcessEntry } from '../model/frame.js';
import { formatValue, formatWaitingThreads } from './units.js';

/** Every measure of a process, labelled and written as every view writes it: a process's detail page. */
export function processFields(pe: ProcessEntry): [label: string, value: string][] {
  return [
    ['pid', String(pe.pid)],
    ['name', pe.name],
    ['command', pe.cmd || '(kernel thread)'],
    ['user', pe.user],
    ['state', pe.state],
    ['cpu', formatValue(pe.cpu, 'ratio')],
    ['rss', formatValue(pe.rssBytes, 'bytes')],
    ['rss growth', formatValue(pe.rssGrowthBps, 'bytes_per_s')],
    ['read', formatValue(pe.readBps, 'bytes_per_s')],
    ['write', formatValue(pe.writeBps, 'bytes_per_s')],
    ['run delay', pe.runDelay === undefined ? '-' : `${formatWaitingThreads(pe.runDelay)} threads waiting`],
    ['major faults', formatValue(pe.majorFaultsPs, 'per_s')],
    ['fds', pe.fds === undefined ? '-' : `${pe.fds}${pe.fdLimit ? ` of ${pe.fdLimit}` : ''}`],
    ['threads', String(pe.threads)],
  ];
}
