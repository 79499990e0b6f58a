import { counterAt, NOT_A_COUNTER, parseCounter, skipBlanks } from '../parse.js';
import { type Counter, ParseError } from '../types.js';
import { tokenEnd } from './digits.js';

/** /proc/<pid>/schedstat (the thread group leader) or /proc/<pid>/task/<tid>/schedstat: one task's. */
export interface ProcSchedstat {
  /** Time spent on a CPU, ns. */
  runNs: Counter;
  /** Time spent runnable but waiting for a CPU, ns. */
  runDelayNs: Counter;
}

export function parseSchedstat(text: string): ProcSchedstat {
  const a = tokenEnd(text, 0, text.length);
  const b = skipBlanks(text, a, text.length);
  const bEnd = tokenEnd(text, b, text.length);
  if (a === 0 || bEnd === b) throw new ParseError('schedstat: expected "run_ns run_delay_ns timeslices"');
  return {
    runNs: parseCounter(text.slice(0, a), 'schedstat: run_ns'),
    runDelayNs: parseCounter(text.slice(b, bEnd), 'schedstat: run_delay_ns'),
  };
}

/**
 * parseSchedstat into an object of the caller's, read in place: no slice and no object, for a file
 * read for most processes and threads every tick. Anything that is not two counters goes through
 * parseSchedstat for its error.
 */
export function parseSchedstatInto(text: string, into: ProcSchedstat): ProcSchedstat {
  const a = tokenEnd(text, 0, text.length);
  const b = skipBlanks(text, a, text.length);
  const bEnd = tokenEnd(text, b, text.length);
  const run = counterAt(text, 0, a);
  const delay = counterAt(text, b, bEnd);
  if (a === 0 || run === NOT_A_COUNTER || delay === NOT_A_COUNTER) {
    const parsed = parseSchedstat(text);
    into.runNs = parsed.runNs;
    into.runDelayNs = parsed.runDelayNs;
  } else {
    into.runNs = run;
    into.runDelayNs = delay;
  }
  return into;
}
