/**
 * Contracts shared by every collector. A collector reads raw kernel counters and parses them into
 * typed samples; it derives nothing (rates live in src/derive) and knows nothing of outputs.
 */

/** A cumulative kernel counter: a number while exact (≤ 2^53 − 1), a bigint beyond that. */
export type Counter = number | bigint;

/** How reading one source went. None of these is an error of the agent: each is a normal state. */
export type SourceStatus = 'ok' | 'absent' | 'denied' | 'failed';

export interface SourceReport {
  /** Path relative to the root, e.g. "proc/pressure/io". */
  source: string;
  status: SourceStatus;
  /** Why it is not ok: "ENOENT", "EOPNOTSUPP (PSI disabled)", "line 3: expected 4 fields". */
  reason?: string;
}

/** Thrown by pure parsers on content they cannot make sense of; the collector turns it into a failed report. */
export class ParseError extends Error {
  override name = 'ParseError';
}
