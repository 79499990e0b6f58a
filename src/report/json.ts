import { inertJson } from '../text/sanitize.js';
import { sixtySecondAnalysis } from './analysis.js';
import { gapsOf } from './gaps.js';
import { type CheckRun, EXIT_CODES, runStatus } from './run.js';

/** Version of the `check --format json` document (docs/check.md). */
export const CHECK_JSON_SCHEMA = 1;

/** The JSON document of a check run, as documented in docs/check.md. */
export function renderJson(run: CheckRun) {
  const status = runStatus(run);
  return {
    schema: CHECK_JSON_SCHEMA,
    status,
    exitCode: EXIT_CODES[status],
    host: run.host,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    windowMs: run.windowMs,
    intervalMs: run.intervalMs,
    frames: run.frames,
    mode: run.mode,
    checklist: { files: run.checklist.files, rules: run.checklist.rules.length },
    use: run.use,
    findings: run.findings,
    events: run.events,
    cgroups: run.cgroups,
    gaps: gapsOf(run.use),
    analysis: sixtySecondAnalysis(run),
    sources: run.sources,
  };
}

/** The JSON report of a check that could not run (bad flags, a bad checklist): status UNKNOWN and why. */
export function jsonUnknown(message: string, problems: string[] = []) {
  return {
    schema: CHECK_JSON_SCHEMA,
    status: 'UNKNOWN' as const,
    exitCode: EXIT_CODES.UNKNOWN,
    error: message,
    problems,
  };
}

/**
 * A check's JSON document as printed: indented, with the characters a terminal acts on that JSON
 * leaves raw (C1 and bidi controls from host names) written as `\uXXXX`; it parses to the same value.
 */
export function jsonText(doc: object): string {
  return inertJson(JSON.stringify(doc, null, 2));
}
