import { formatDuration } from '../checklist/duration.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A span of time as a report states it, in its two largest units: 604000 → "10m4s", 3720000 →
 * "1h2m", 93600000 → "1d2h". Under a minute it is the duration as a checklist writes it ("10s", "500ms").
 */
export function formatSpan(ms: number): string {
  if (ms < MINUTE) return formatDuration(ms);
  const s = Math.round(ms / 1000);
  const [big, bigUnit, small, smallUnit] =
    ms >= DAY
      ? [Math.floor(s / 86_400), 'd', Math.floor((s % 86_400) / 3600), 'h']
      : ms >= HOUR
        ? [Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'm']
        : [Math.floor(s / 60), 'm', s % 60, 's'];
  return `${big}${bigUnit}${small > 0 ? `${small}${smallUnit}` : ''}`;
}
