import type { MetricName } from '../../catalog/index.js';
import { formatDuration } from '../../checklist/duration.js';
import { formatClock, formatDateTime } from '../../text/clock.js';
import { formatValue } from '../../use/units.js';
import { compose, type Part } from './compose.js';
import type { Canvas, ScreenModel } from './model.js';

function loadTrend(load1: number, load5: number, c: Canvas): string {
  // A 10 % band around the 5-minute average keeps the arrow from flickering on noise.
  const band = Math.max(0.05, load5 * 0.1);
  if (load1 > load5 + band) return c.glyphs.up;
  if (load1 < load5 - band) return c.glyphs.down;
  return c.glyphs.flat;
}

function fixed2(v: number | undefined): string {
  return v === undefined ? '-' : v.toFixed(2);
}

/** Two lines: who and what (host, kernel, uptime, CPUs, interval), then now (load, source, time, state). */
export function renderHeader(m: ScreenModel, c: Canvas): string[] {
  const { theme } = c;
  const f = m.frame;
  const sep: Part = { text: '  ' };
  const first: Part[] = [{ text: ' usewatch ', paint: theme.title }];
  if (f) {
    first.push({ text: f.host.hostname, paint: theme.label }, sep, { text: `kernel ${f.host.kernel}` });
    if (f.host.uptimeSeconds !== undefined)
      first.push(sep, { text: `up ${formatValue(f.host.uptimeSeconds, 'seconds')}` });
    first.push(sep, { text: `${f.host.cpus} CPU${f.host.cpus === 1 ? '' : 's'}` });
  }
  first.push(sep, { text: `every ${formatDuration(m.intervalMs)}` });

  const second: Part[] = [{ text: ' ' }];
  if (f) {
    const load = (name: MetricName) => f.metrics[name]?.[''];
    const l1 = load('cpu.load1');
    const l5 = load('cpu.load5');
    second.push({ text: `load ${fixed2(l1)} ${fixed2(l5)} ${fixed2(load('cpu.load15'))}` });
    if (l1 !== undefined && l5 !== undefined) second.push({ text: ` ${loadTrend(l1, l5, c)}`, paint: theme.label });
    second.push(sep);
  }
  second.push({ text: m.source.label, paint: theme.accent });
  if (m.connection) {
    const paint = m.connection === 'live' ? theme.status.ok : theme.status.warning;
    second.push({ text: ` (${m.connection})`, paint });
  }
  if (m.replay) {
    second.push(...replayState(m, m.replay.speed, c));
    return [compose(c.cols, first, c.glyphs.ellipsis), compose(c.cols, second, c.glyphs.ellipsis)];
  }
  if (f) second.push(sep, { text: formatClock(f.ts) }, sep);
  else second.push(sep);
  if (m.ui.paused) {
    second.push({ text: 'PAUSED', paint: theme.status.warning });
    if (m.missed > 0) second.push({ text: ` (${m.missed} new frame${m.missed === 1 ? '' : 's'})` });
  } else if (m.connection && m.connection !== 'live' && f) {
    // The frame on screen is the last one received: say so rather than calling it live.
    second.push({ text: 'STALE', paint: theme.status.warning });
  } else if (f) {
    second.push({ text: 'LIVE', paint: theme.status.ok });
  } else {
    second.push({ text: `collecting${c.glyphs.ellipsis}`, paint: theme.dim });
  }
  return [compose(c.cols, first, c.glyphs.ellipsis), compose(c.cols, second, c.glyphs.ellipsis)];
}

/** A replay speed's factor: 1, 0.5, 16; 0 (as fast as possible) is "max". */
function formatSpeed(speed: number): string {
  return speed === 0 ? 'max' : `${Number(speed.toFixed(2))}`;
}

/** A recording's position (with the date: a recording can span days), speed and whether it plays. */
function replayState(m: ScreenModel, speed: number, c: Canvas): Part[] {
  const { theme } = c;
  const parts: Part[] = [{ text: '  ' }];
  if (m.frame) parts.push({ text: formatDateTime(m.frame.ts), paint: theme.label }, { text: '  ' });
  parts.push(
    { text: 'REPLAY', paint: m.ui.paused ? theme.status.warning : theme.status.ok },
    { text: ` ${c.glyphs.times}${formatSpeed(speed)}` },
  );
  if (m.ui.paused) parts.push({ text: ' PAUSED', paint: theme.status.warning });
  if (m.replay?.atEnd) parts.push({ text: ' END OF RECORDING', paint: theme.status.warning });
  return parts;
}
