import type { Unit } from '../catalog/types.js';

const SI = ['', 'k', 'M', 'G', 'T', 'P'];
const BINARY = ['B', 'K', 'M', 'G', 'T', 'P'];

/** Two to three significant figures: what fits a 7-column cell and still reads at a glance. */
function short(n: number): string {
  const a = Math.abs(n);
  if (a === 0) return '0';
  if (a < 10) return n.toFixed(a < 0.995 && a >= 0.0995 ? 2 : 1).replace(/\.?0+$/, '') || '0';
  if (a < 100) return n.toFixed(1).replace(/\.0$/, '');
  return Math.round(n).toString();
}

function scaled(n: number, base: number, suffixes: string[]): string {
  let i = 0;
  let v = n;
  while (Math.abs(v) >= base * 0.9995 && i < suffixes.length - 1) {
    v /= base;
    i++;
  }
  return `${short(v)}${suffixes[i]}`;
}

/** A metric value as shown in cells: ratios as percent, sizes binary-scaled, rates with "/s". */
export function formatValue(value: number | undefined, unit: Unit | string | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  switch (unit) {
    case 'ratio':
      return `${short(value * 100)}%`;
    case 'bytes':
      return scaled(value, 1024, BINARY);
    case 'bytes_per_s':
      return `${scaled(value, 1024, BINARY)}/s`;
    case 'bits_per_s':
      return `${scaled(value, 1000, SI)}b/s`;
    case 'per_s':
      return `${scaled(value, 1000, SI)}/s`;
    case 'ms':
      return value >= 1000 ? `${short(value / 1000)}s` : `${short(value)}ms`;
    case 'seconds':
      return formatAge(value * 1000);
    case 'hours':
      return value >= 48 ? `${short(value / 24)}d` : `${short(value)}h`;
    default:
      return scaled(value, 1000, SI);
  }
}

/** A duration in ms as "45s", "3m12s", "2h05m", "3d4h": the age of a finding, an uptime. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time of a frame, HH:MM:SS. */
export function formatClock(ts: number): string {
  const d = new Date(ts);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Local date and time, YYYY-MM-DD HH:MM:SS: a recording can span days. */
export function formatDateTime(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${formatClock(ts)}`;
}

/** A replay speed's factor: 1, 0.5, 16; 0 (as fast as possible) is "max". */
export function formatSpeed(speed: number): string {
  return speed === 0 ? 'max' : `${Number(speed.toFixed(2))}`;
}
