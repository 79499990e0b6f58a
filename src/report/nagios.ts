import type { Unit } from '../catalog/index.js';
import { resolveThresholds } from '../checklist/model.js';
import { sanitize } from '../text/sanitize.js';
import { formatSpan } from '../use/units.js';
import { type CheckRun, type CheckStatus, runStatus } from './run.js';

const SCALE: Partial<Record<Unit, { uom: string; factor: number }>> = {
  ratio: { uom: '%', factor: 100 },
  bytes: { uom: 'B', factor: 1 },
  ms: { uom: 'ms', factor: 1 },
  seconds: { uom: 's', factor: 1 },
};

function perfNumber(n: number | undefined): string {
  return n === undefined ? '' : (Math.round(n * 1e4) / 1e4).toString();
}

/**
 * Nagios labels may hold anything but "=" and "'" (and a "|" would split the output); quoted so
 * that instance names with spaces stay one label, and sanitised so that a hostile one cannot end
 * the line or reach a terminal.
 */
function label(metric: string, instance: string): string {
  const text = instance === '' ? metric : `${metric}:${instance}`;
  return `'${sanitize(text).replace(/['=|]/g, '_')}'`;
}

/** `USEWATCH <STATUS> - <summary> | <perfdata>`: one line, as a Nagios/Icinga plugin prints it. */
export function renderNagios(run: CheckRun): string {
  const status = runStatus(run);
  // The findings the status comes from: firing at the end (worst first), then those that fired and
  // resolved inside the window.
  const fired = run.findings.filter(
    (f) => f.state === 'firing' || (f.state === 'resolved' && (f.resolvedAt ?? 0) >= run.startedAt),
  );
  const summary =
    status === 'OK'
      ? `no USE finding over ${formatSpan(run.windowMs)} (${run.checklist.rules.length} rules)`
      : fired.length === 0
        ? 'findings fired and resolved in the window (see check --format json events)'
        : fired
            .map(
              (f) =>
                `${f.rule}${f.instance ? `@${f.instance}` : ''}: ${f.summary}${f.state === 'resolved' ? ' (resolved)' : ''}`,
            )
            .join('; ');
  const perf: string[] = [];
  for (const cell of run.use) {
    if (cell.value === undefined || cell.metric === undefined) continue;
    const rule = run.checklist.rules.find((r) => r.metric === cell.metric);
    if (rule === undefined) continue;
    const t = resolveThresholds(rule, run.checklist.overrides, cell.instance);
    const { uom, factor } = SCALE[rule.unit] ?? { uom: '', factor: 1 };
    const scaled = (n: number | undefined) => perfNumber(n === undefined ? undefined : n * factor);
    // Nagios ranges alert outside them: "24" is above 24, "24:" below 24 (a rule with direction below).
    const range = (n: number | undefined) =>
      n !== undefined && rule.direction === 'below' ? `${scaled(n)}:` : scaled(n);
    perf.push(`${label(cell.metric, cell.instance)}=${scaled(cell.value)}${uom};${range(t?.warn)};${range(t?.crit)}`);
  }
  return `USEWATCH ${status} - ${sanitize(summary).replace(/\|/g, '/')}${perf.length ? ` | ${perf.join(' ')}` : ''}`;
}

/** The status line for a check that could not run (bad flags, bad checklist): exit code 3. */
export function nagiosUnknown(message: string): string {
  return `USEWATCH ${'UNKNOWN' satisfies CheckStatus} - ${sanitize(message.split('\n')[0]).replace(/\|/g, '/')}`;
}
