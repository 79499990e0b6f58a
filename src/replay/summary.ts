import { type Frame, metricInstances } from '../model/frame.js';
import { formatDateTime } from '../text/clock.js';
import { sanitize } from '../text/sanitize.js';
import { formatValue } from '../use/units.js';

/** A ratio right-aligned in six columns, so that the lines of a recording stay aligned. */
const percent = (ratio: number | undefined) => formatValue(ratio, 'ratio').padStart(6);

/** One line per frame: local time, CPU and memory utilization, then the active findings (names sanitised). */
export function summaryLine(frame: Frame): string {
  const active = frame.findings.filter((f) => f.state !== 'resolved');
  const findings =
    active.length === 0
      ? 'no findings'
      : active
          .map((f) => `${f.instance ? f.id : f.rule} ${f.severity}${f.state === 'pending' ? ' (pending)' : ''}`)
          .join(', ');
  return sanitize(
    `${formatDateTime(frame.ts)}  cpu ${percent(metricInstances(frame.metrics, 'cpu.utilization')?.[''])}  mem ${percent(metricInstances(frame.metrics, 'memory.utilization')?.[''])}  ${findings}`,
  );
}
