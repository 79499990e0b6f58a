import { formatDuration } from '../../src/checklist/duration.js';
import { formatClock } from '../../src/text/clock.js';
import { formatValue } from '../../src/use/units.js';
import { type Child, patch, type VNode, v } from '../dom.js';
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
function viewState(m: PageModel): VNode {
  if (m.ring.paused) {
    const missed = m.ring.missed > 0 ? ` (${m.ring.missed} new frame${m.ring.missed === 1 ? '' : 's'})` : '';
    return v('span', { class: 'state st-warning', data: { state: 'paused' } }, `PAUSED${missed}`);
  }
  if (!m.frame) return v('span', { class: 'state st-gap', data: { state: 'waiting' } }, 'waiting for frames…');
  if (m.connection !== 'live') return v('span', { class: 'state st-warning', data: { state: 'stale' } }, 'STALE');
  return v('span', { class: 'state st-ok', data: { state: 'live' } }, 'LIVE');
}

function hostLine(m: PageModel): Child[] {
  const f = m.frame;
  const every = `  every ${formatDuration(m.intervalMs)}`;
  if (!f) return [every];
  return [
    v('span', { class: 'host', data: { field: 'host' } }, f.host.hostname),
    `  kernel ${f.host.kernel}`,
    f.host.uptimeSeconds !== undefined && `  up ${formatValue(f.host.uptimeSeconds, 'seconds')}`,
    `  ${f.host.cpus} CPU${f.host.cpus === 1 ? '' : 's'}`,
    every,
  ];
}

function loadLine(m: PageModel): string | undefined {
  const f = m.frame;
  if (!f) return undefined;
  const l1 = f.metrics['cpu.load1']?.[''];
  const l5 = f.metrics['cpu.load5']?.[''];
  const trend = l1 !== undefined && l5 !== undefined ? ` ${trendArrow(l1, l5)}` : '';
  return `load ${load(m, 'cpu.load1')} ${load(m, 'cpu.load5')} ${load(m, 'cpu.load15')}${trend}  `;
}

/** Host, kernel, uptime, CPUs, interval; load with its trend, the source and its connection, the frame's time and state. */
export function renderHeader(m: PageModel, root: HTMLElement): void {
  const f = m.frame;
  const connected =
    m.connection === 'live'
      ? 'st-ok'
      : m.connection === 'closed' || m.connection === 'token'
        ? 'st-critical'
        : 'st-warning';
  const load = loadLine(m);
  const now = v(
    'div',
    { class: 'now' },
    load,
    v('span', { class: 'source' }, m.source),
    ' ',
    v(
      'span',
      { class: `connection ${connected}`, data: { connection: m.connection } },
      `(${m.connection === 'token' ? 'token needed' : m.connection})`,
    ),
    f ? `  ${formatClock(f.ts)}  ` : '  ',
    viewState(m),
  );
  patch(root, [v('div', { class: 'who' }, v('strong', {}, 'usewatch '), ...hostLine(m)), now]);
}
