import type { Unit } from '../catalog/index.js';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const BIT_UNITS = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];

function trim(n: number, digits: number): string {
  return Number(n.toFixed(digits)).toString();
}

/** A readable number: three significant figures at most, no trailing zeros. */
export function formatNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 100) return Math.round(n).toString();
  if (abs >= 10) return trim(n, 1);
  return trim(n, 2);
}

function scaled(n: number, base: number, units: readonly string[]): string {
  let i = 0;
  let v = n;
  while (Math.abs(v) >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  return `${formatNumber(v)} ${units[i]}`;
}

/** A metric value with its unit as people read it: ratios as percent, bytes in binary units. */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'ratio':
      return `${formatNumber(value * 100)}%`;
    case 'bytes':
      return scaled(value, 1024, BYTE_UNITS);
    case 'bytes_per_s':
      return `${scaled(value, 1024, BYTE_UNITS)}/s`;
    case 'bits_per_s':
      return scaled(value, 1000, BIT_UNITS);
    case 'per_s':
      return `${formatNumber(value)}/s`;
    case 'ms':
      return `${formatNumber(value)} ms`;
    case 'seconds':
      return `${formatNumber(value)} s`;
    case 'hours':
      return `${formatNumber(value)} h`;
    default:
      return formatNumber(value);
  }
}
