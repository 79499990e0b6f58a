import type { ProcFs } from '../procfs.js';
import { ParseError } from '../types.js';
import { readPidFile } from './kept.js';

/** Per-file outcome counts of one tick, summarised in one report instead of one per pid. */
export class FileTally {
  denied = 0;
  failed = 0;
  ok = 0;
  firstFailure = '';

  /** A read error other than vanished or denied (EIO…), with the errno as reason. */
  failRead(rel: string, reason: string): void {
    this.failed++;
    if (this.firstFailure === '') this.firstFailure = `${rel}: ${reason}`;
  }

  fail(rel: string, err: unknown): void {
    this.failRead(rel, err instanceof ParseError ? err.message : `parser error: ${(err as Error)?.message ?? err}`);
  }
}

/** One tick's tallies, one per kind of per-pid file. */
export class Tallies {
  readonly stat = new FileTally();
  readonly schedstat = new FileTally();
  readonly status = new FileTally();
  readonly io = new FileTally();
  readonly fd = new FileTally();
  readonly limits = new FileTally();
  readonly cgroup = new FileTally();
}

/** Reads and parses a per-pid file, counting the outcome; undefined when it was not there, denied or bad. */
export function readParsed<T>(
  fs: ProcFs,
  rel: string,
  keep: boolean,
  parser: (text: string) => T,
  tally: FileTally,
): T | undefined {
  const r = readPidFile(fs, rel, keep);
  if (!r.ok) {
    if (r.status === 'denied') tally.denied++;
    else if (r.status === 'failed') tally.failRead(rel, r.reason);
    return undefined;
  }
  return parseCounted(rel, r.text, parser, tally);
}

/** Parses a file read, counting it in the tally as parsed or failed. */
export function parseCounted<T>(
  rel: string,
  text: string,
  parser: (text: string) => T,
  tally: FileTally,
): T | undefined {
  try {
    const value = parser(text);
    tally.ok++;
    return value;
  } catch (err) {
    tally.fail(rel, err);
    return undefined;
  }
}
