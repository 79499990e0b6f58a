import { counterIn, NOT_A_COUNTER, notUnsignedIn } from '../parse.js';
import { type Counter, ParseError } from '../types.js';
import { skipBlanksIn, tokenEndIn } from './digits.js';

/** /proc/<pid>/schedstat (the thread group leader) or /proc/<pid>/task/<tid>/schedstat: one task's. */
export interface ProcSchedstat {
  /** Time spent on a CPU, ns. */
  runNs: Counter;
  /** Time spent runnable but waiting for a CPU, ns. */
  runDelayNs: Counter;
}

/**
 * Parses a schedstat from its bytes, `bytes[0, length)` (the reader's buffer), into `into`, read in
 * place: no string and no object, for a file read for most processes and threads every tick.
 */
export function parseSchedstat(
  bytes: Buffer,
  length = bytes.length,
  into: ProcSchedstat = { runNs: 0, runDelayNs: 0 },
): ProcSchedstat {
  const a = tokenEndIn(bytes, 0, length);
  const b = skipBlanksIn(bytes, a, length);
  const bEnd = tokenEndIn(bytes, b, length);
  if (a === 0 || bEnd === b) throw new ParseError('schedstat: expected "run_ns run_delay_ns timeslices"');
  const run = counterIn(bytes, 0, a);
  if (run === NOT_A_COUNTER) throw notUnsignedIn(bytes, 0, a, 'schedstat: run_ns');
  const delay = counterIn(bytes, b, bEnd);
  if (delay === NOT_A_COUNTER) throw notUnsignedIn(bytes, b, bEnd, 'schedstat: run_delay_ns');
  into.runNs = run;
  into.runDelayNs = delay;
  return into;
}
