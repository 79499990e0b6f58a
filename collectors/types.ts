/**
 * Contracts shared by every collector. A collector reads raw kernel counters and parses them into
 * typed samples; it derives nothing (rates live in src/derive) and knows nothing of outputs.
 */

/** A cumulative kernel counter: a number while exact (≤ 2^53 − 1), a bigint beyond that. */
export type Counter = number | bigint;

/** Thrown by pure parsers on content they cannot make sense of; the collector turns it into a failed report. */
export class ParseError extends Error {
  override name = 'ParseError';
}
