import type { Logger } from '../log/logger.js';

/** Logs a kind of event once (then it is only counted). */
export type ReportOnce = (kind: string, fields: Record<string, unknown>, msg: string) => void;

/**
 * One log line per kind of refusal, then only counts (in the server's stats and /metrics): a flood
 * of bad requests must not flood the log.
 */
export function reportOncePerKind(log: Logger): ReportOnce {
  const reported = new Set<string>();
  return (kind, fields, msg) => {
    if (reported.has(kind)) return;
    reported.add(kind);
    log.warn(fields, `${msg}; further ones are only counted`);
  };
}
