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
 * The run delay alone, the one field the collector keeps, read in place: no slice, no object, for
 * a file read for most processes and threads every tick. Anything that is not two counters goes
 * through parseSchedstat for its error.
 */
export function parseRunDelay(text: string): Counter {
  const a = tokenEnd(text, 0, text.length);
  const b = skipBlanks(text, a, text.length);
  const bEnd = tokenEnd(text, b, text.length);
  const delay = counterAt(text, b, bEnd);
  if (a === 0 || delay === NOT_A_COUNTER || counterAt(text, 0, a) === NOT_A_COUNTER)
    return parseSchedstat(text).runDelayNs;
  return delay;
}
