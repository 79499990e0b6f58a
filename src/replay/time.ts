import { DURATION_HINT, parseDuration } from '../checklist/duration.js';

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const EPOCH_MS = /^\d{12,}$/;

export const TIME_HINT =
  'an ISO time (2026-11-25T03:12:00Z, or local without the Z), a time before now (-2h, -30m, -90s) or a clock time today (03:12, 03:12:30)';

/** A --from/--to value to epoch ms; throws an Error naming the value and the accepted forms. */
export function parseTimeSpec(spec: string, now: number = Date.now()): number {
  const text = spec.trim();
  if (text.startsWith('-')) {
    const ms = parseDuration(text.slice(1));
    if (ms === undefined) throw new Error(`cannot read time "${spec}": after "-" expected ${DURATION_HINT}`);
    return now - ms;
  }
  const clock = CLOCK.exec(text);
  if (clock !== null) {
    const [h, m, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (h > 23 || m > 59 || s > 59) throw new Error(`cannot read time "${spec}": not a clock time`);
    const day = new Date(now);
    day.setHours(h, m, s, 0);
    return day.getTime();
  }
  if (EPOCH_MS.test(text)) return Number(text);
  if (ISO.test(text)) {
    const ts = Date.parse(text);
    if (Number.isFinite(ts)) return ts;
  }
  throw new Error(`cannot read time "${spec}": expected ${TIME_HINT}`);
}
