/** How reading one source went. None of these is an error of the agent: each is a normal state. */
export type SourceStatus = 'ok' | 'absent' | 'denied' | 'failed';

/** One /proc or /sys source that was not ok on a tick, as collectors report it and frames carry it. */
export interface SourceReport {
  /** Path relative to the root, e.g. "proc/pressure/io". */
  source: string;
  status: SourceStatus;
  /** Why it is not ok: "ENOENT", "EOPNOTSUPP (PSI disabled)", "line 3: expected 4 fields". */
  reason?: string;
}
