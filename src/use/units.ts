import type { Unit } from '../catalog/index.js';

/**
 * How every view writes a value with its unit: the `top` screen, `check`'s text and Nagios reports,
 * finding summaries and figures, `replay --format summary`. One spelling each, the compact one a
 * 7-column cell of `top` can hold and a checklist threshold is written in: "12ms", "900M",
 * "1.5Gb/s", "12.3k/s", "42.3%", "3m12s".
 */

const SI = ['', 'k', 'M', 'G', 'T', 'P'];
const BINARY = ['B', 'K', 'M', 'G', 'T', 'P'];

/** `n` with `under10` decimals below 10, one below 100 and none above; no trailing zeros, never "-0". */
function rounded(n: number, under10: number): string {
  const a = Math.abs(n);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : under10;
  return Number(n.toFixed(digits)).toString();
}

/**
 * A figure whose unit its label already says (vmstat and iostat columns such as "r/s 10",
 * "free 812 MiB"), unscaled, with at most three significant figures: 1.25, 42.3, 51200.
 */
export function formatNumber(n: number): string {
  return rounded(n, 2);
}

/** Two to three significant figures: what fits a 7-column cell and still reads at a glance. */
function short(n: number): string {
  const a = Math.abs(n);
  return rounded(n, a >= 0.0995 && a < 0.995 ? 2 : 1);
}

function scaled(n: number, base: number, suffixes: readonly string[]): string {
  let i = 0;
  let v = n;
  // 0.9995 of the base: a value that rounds up to the base ("1000k") is shown as the next unit ("1M").
  while (Math.abs(v) >= base * 0.9995 && i < suffixes.length - 1) {
    v /= base;
    i++;
  }
  return `${short(v)}${suffixes[i]}`;
}

/**
 * A metric value as every view shows it: ratios as percent, sizes binary-scaled, rates with "/s",
 * milliseconds from a second up in seconds, hours from two days up in days, counts SI-scaled.
 * "-" for a value that is missing or not a number.
 */
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
      return Math.abs(value) >= 999.5 ? `${short(value / 1000)}s` : `${short(value)}ms`;
    case 'seconds':
      return formatSpan(value * 1000);
    case 'hours':
      return Math.abs(value) >= 48 ? `${short(value / 24)}d` : `${short(value)}h`;
    default:
      return scaled(value, 1000, SI);
  }
}

/**
 * Threads waiting for a CPU (a process's run delay) with two decimals in every view: the digits that
 * tell an occasional wait (0.02) from a thread always queued (1.00). "-" when not measured.
 */
export function formatWaitingThreads(threads: number | undefined): string {
  return threads === undefined || !Number.isFinite(threads) ? '-' : threads.toFixed(2);
}

/**
 * A span of time in milliseconds as people read it, in its two largest units with the smaller one
 * padded so that a ticking age keeps its width: "500ms", "45s", "3m12s", "2h05m", "3d4h" (days from
 * 48 hours, as for the hours unit). Whole seconds from a second up, rounded: ticks land a few
 * milliseconds off their slots. A negative span (a clock a little behind) is "0s"; "-" for one that
 * is not a finite number.
 */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const whole = Math.round(Math.max(0, ms));
  if (whole === 0) return '0s';
  if (whole < 1000) return `${whole}ms`;
  const s = Math.round(whole / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}
