import { formatDuration } from '../../src/checklist/duration.js';
import { formatClock } from '../../src/text/clock.js';
import { formatValue } from '../../src/use/units.js';
import { append, h, patch } from '../dom.js';
import type { PageModel } from '../model.js';

/** ↑ when the 1-minute load is more than 10 % over the 5-minute one, ↓ under, → otherwise (as `top`). */
function trendArrow(load1: number, load5: number): string {
  const band = Math.max(0.05, load5 * 0.1);
  return load1 > load5 + band ? '↑' : load1 < load5 - band ? '↓' : '→';
}

function load(m: PageModel, name: string): string {
  const v = m.frame?.metrics[name]?.[''];
  return v === undefined ? '-' : v.toFixed(2);
}

/** What the frame on screen is: live, paused (with frames missed), or stale while the feed is down. */
function viewState(m: PageModel): HTMLElement {
  if (m.ring.paused) {
    const missed = m.ring.missed > 0 ? ` (${m.ring.missed} new frame${m.ring.missed === 1 ? '' : 's'})` : '';
    return h('span', { class: 'state st-warning', data: { state: 'paused' } }, `PAUSED${missed}`);
  }
  if (!m.frame) return h('span', { class: 'state st-gap', data: { state: 'waiting' } }, 'waiting for frames…');
  if (m.connection !== 'live') return h('span', { class: 'state st-warning', data: { state: 'stale' } }, 'STALE');
  return h('span', { class: 'state st-ok', data: { state: 'live' } }, 'LIVE');
}

/** Host, kernel, uptime, CPUs, interval; load with its trend, the source and its connection, the frame's time and state. */
export function renderHeader(m: PageModel, root: HTMLElement): void {
  const f = m.frame;
  const who = h('div', { class: 'who' }, h('strong', {}, 'usewatch '));
  if (f) {
    append(who, [h('span', { class: 'host', data: { field: 'host' } }, f.host.hostname), `  kernel ${f.host.kernel}`]);
    if (f.host.uptimeSeconds !== undefined) append(who, [`  up ${formatValue(f.host.uptimeSeconds, 'seconds')}`]);
    append(who, [`  ${f.host.cpus} CPU${f.host.cpus === 1 ? '' : 's'}`]);
  }
  append(who, [`  every ${formatDuration(m.intervalMs)}`]);
  const now = h('div', { class: 'now' });
  if (f) {
    const l1 = f.metrics['cpu.load1']?.[''];
    const l5 = f.metrics['cpu.load5']?.[''];
    append(now, [`load ${load(m, 'cpu.load1')} ${load(m, 'cpu.load5')} ${load(m, 'cpu.load15')}`]);
    if (l1 !== undefined && l5 !== undefined) append(now, [` ${trendArrow(l1, l5)}`]);
    append(now, ['  ']);
  }
  const connected =
    m.connection === 'live'
      ? 'st-ok'
      : m.connection === 'closed' || m.connection === 'token'
        ? 'st-critical'
        : 'st-warning';
  append(now, [
    h('span', { class: 'source' }, m.source),
    ' ',
    h(
      'span',
      { class: `connection ${connected}`, data: { connection: m.connection } },
      `(${m.connection === 'token' ? 'token needed' : m.connection})`,
    ),
    f ? `  ${formatClock(f.ts)}  ` : '  ',
    viewState(m),
  ]);
  patch(root, [who, now]);
}
