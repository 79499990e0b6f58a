import { createColors } from 'picocolors';
import { formatDuration } from '../checklist/duration.js';
import { resolveThresholds } from '../checklist/model.js';
import { type CellStatus, DIMENSIONS, type Dimension, type OomVictim, type ProcessEntry } from '../model/frame.js';
import { figureFormat, findingFigures, processFigures } from '../use/finding-text.js';
import { formatSpan, formatValue } from '../use/units.js';
import type { WindowCell, WindowFinding } from '../use/window.js';
import { sixtySecondAnalysis } from './analysis.js';
import { CGROUPS_REPORTED, type CgroupSummary } from './cgroups.js';
import { displayable } from './displayable.js';
import { gapsOf } from './gaps.js';
import { type CheckRun, runStatus } from './run.js';
import { table } from './table.js';

type Colors = ReturnType<typeof createColors>;

/** Colour only on a terminal, and never when NO_COLOR is set to a non-empty value (no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

function paint(c: Colors, status: CellStatus | 'firing' | 'pending' | 'resolved', text: string): string {
  switch (status) {
    case 'critical':
      return c.bold(c.red(text));
    case 'warning':
      return c.yellow(text);
    case 'ok':
      return c.green(text);
    default:
      return c.dim(text);
  }
}

/** "host" for host-wide, a reported service or container by its name rather than its path. */
function instanceLabel(instance: string, run: CheckRun): string {
  if (instance === '') return 'host';
  return run.cgroups.find((cg) => cg.id === instance)?.name ?? instance;
}

/** Marks a cell whose status is a finding judged over the window, not its last value (footnoted). */
const WINDOW_MARK = '*';

function cellText(cell: WindowCell | undefined): string {
  if (cell === undefined) return '–';
  const value = cell.value !== undefined && cell.unit !== undefined ? formatValue(cell.value, cell.unit) : '';
  switch (cell.status) {
    case 'gap':
      return 'gap';
    case 'unknown':
      return '?';
    case 'ok':
      return value;
    default:
      return `${value} ${cell.status === 'critical' ? 'CRIT' : 'WARN'}${cell.fromWindowFinding ? WINDOW_MARK : ''}`;
  }
}

function matrixLines(run: CheckRun, c: Colors): string[] {
  const rows = new Map<string, { resource: string; instance: string; cells: Map<Dimension, WindowCell> }>();
  for (const cell of run.use) {
    const key = `${cell.resource}\0${cell.instance}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { resource: cell.resource, instance: cell.instance, cells: new Map() };
      rows.set(key, row);
    }
    row.cells.set(cell.dimension, cell);
  }
  const header = ['RESOURCE', 'INSTANCE', 'UTILIZATION', 'SATURATION', 'ERRORS'];
  const body = [...rows.values()].map((r) => [
    r.resource,
    instanceLabel(r.instance, run),
    ...DIMENSIONS.map((d) => {
      const cell = r.cells.get(d);
      return cell === undefined ? c.dim('–') : paint(c, cell.status, cellText(cell));
    }),
  ]);
  const lines = table([header.map((h) => c.bold(h)), ...body]);
  if (run.use.some((cell) => cell.fromWindowFinding)) {
    lines.push(
      c.dim(
        `${WINDOW_MARK} severity from the window's finding, breached on every sample (see Findings), not from this last value alone`,
      ),
    );
  }
  return lines;
}

/** A report is read elsewhere and later: its times of day are UTC, marked with a Z. */
const REPORT_FORMAT = figureFormat((ts) => `${new Date(ts).toISOString().slice(11, 19)}Z`);

function stateText(f: WindowFinding, run: CheckRun): string {
  if (f.sustainedThroughWindow) {
    const rule = run.checklist.rules.find((r) => r.id === f.rule);
    const forMs = rule && resolveThresholds(rule, run.checklist.overrides, f.instance)?.forMs;
    const its = forMs === undefined ? '' : ` (its \`for\` is ${formatDuration(forMs)})`;
    return `firing: breached on every sample of the ${formatSpan(run.windowMs)} window${its}`;
  }
  const age = formatSpan(f.evidence.windowMs);
  if (f.state === 'firing') return `firing for ${age}`;
  if (f.state === 'pending')
    return `pending for ${age} (began inside the window and not yet sustained for the rule's \`for\`)`;
  return `resolved after ${age}`;
}

/** A process with the figure it is ranked by first, then the others. */
function processLine(p: ProcessEntry, rankedBy: string | undefined, c: Colors): string {
  const [first, ...rest] = processFigures(p, rankedBy, REPORT_FORMAT);
  const shown = rankedBy === undefined ? [first, ...rest] : [c.bold(first), ...rest];
  return `      ${String(p.pid).padStart(7)} ${p.name}  state ${p.state}  ${shown.join('  ')}${p.cmd ? `  ${c.dim(p.cmd)}` : ''}`;
}

function victimLine(v: OomVictim): string {
  const rss = v.rssBytes === undefined ? '' : `  rss ${REPORT_FORMAT.value(v.rssBytes, 'bytes')}`;
  return `      ${String(v.pid).padStart(7)} ${v.name}  at ${REPORT_FORMAT.clock(v.ts)}${rss}`;
}

function findingLines(f: WindowFinding, run: CheckRun, c: Colors): string[] {
  const label = f.severity === 'critical' ? 'CRITICAL' : 'WARNING';
  const tag = f.state === 'resolved' ? c.dim(`[${label}, resolved]`) : paint(c, f.severity, `[${label}]`);
  const ev = f.evidence;
  const lines = [
    `${tag} ${c.bold(f.rule)} (${f.resource} ${f.dimension}, ${instanceLabel(f.instance, run)}) ${stateText(f, run)}`,
    `    ${f.summary}`,
    `    ${findingFigures(f, REPORT_FORMAT)}`,
  ];
  const by = ev.rankedBy === undefined ? '' : `, ranked by ${ev.rankedBy.replace('_', ' ')}`;
  if (ev.victims !== undefined && ev.victims.length > 0) {
    lines.push('    killed by the OOM killer (kernel log):');
    for (const v of ev.victims) lines.push(victimLine(v));
  }
  if (ev.culprits !== undefined && ev.culprits.processes.length > 0) {
    // Judged over the window, a finding has no sample it fired on: its culprits are the last sample's top.
    const when = f.sustainedThroughWindow ? 'on the last sample' : 'when it fired';
    lines.push(`    culprits ${when} at ${REPORT_FORMAT.clock(ev.culprits.ts)}${by}:`);
    for (const p of ev.culprits.processes) lines.push(processLine(p, ev.rankedBy, c));
  }
  if (ev.processes.length > 0 && !f.sustainedThroughWindow) {
    lines.push(`    top processes on the last sample${by}:`);
    for (const p of ev.processes) lines.push(processLine(p, ev.rankedBy, c));
  }
  if (f.next.length > 0) lines.push(`    next: ${f.next.join('; ')}`);
  return lines;
}

function pressureText(s: CgroupSummary): string {
  const values = [s.cpu.pressure, s.memory.pressure, s.io.pressure];
  if (values.every((v) => v === undefined)) return '-';
  return values.map((v) => formatValue(v, 'ratio')).join('/');
}

function limitText(value: number | undefined, peak: number | undefined, unit: string, share?: number): string {
  if (peak === undefined) return '-';
  const of = value === undefined ? '' : `/${formatValue(value, unit)}`;
  return `${formatValue(peak, unit)}${of}${share === undefined ? '' : ` (${formatValue(share, 'ratio')})`}`;
}

/** The limit memory utilization is measured against: the lower of memory.high and memory.max. */
function memoryLimit(s: CgroupSummary): number | undefined {
  const limits = [s.memoryHighBytes, s.memoryMaxBytes].filter((v): v is number => v !== undefined);
  return limits.length === 0 ? undefined : Math.min(...limits);
}

function cgroupRow(s: CgroupSummary, c: Colors): string[] {
  const kills = s.memory.oomKills;
  const forks = s.pids.forkFailures;
  return [
    s.name,
    s.kind,
    formatValue(s.cpu.usage, 'cpus'),
    formatValue(s.cpu.utilization, 'ratio'),
    formatValue(s.cpu.throttled, 'ratio'),
    limitText(memoryLimit(s), s.memory.workingSetPeakBytes, 'bytes', s.memory.utilizationPeak),
    formatValue(s.io.readBps, 'bytes_per_s'),
    formatValue(s.io.writeBps, 'bytes_per_s'),
    pressureText(s),
    kills ? paint(c, 'critical', String(kills)) : formatValue(kills, 'count'),
    limitText(s.pidsMax, s.pids.peak, 'count'),
    forks ? paint(c, 'critical', String(forks)) : formatValue(forks, 'count'),
    s.findings.length === 0 ? '' : s.findings.join(', '),
  ];
}

/** The services and containers of the window: the busiest, and those with findings or events. */
function cgroupLines(run: CheckRun, c: Colors): string[] {
  if (run.cgroups.length === 0) return ['  none carried in the window'];
  const header = [
    ...['NAME', 'KIND', 'CPU', 'CPU%', 'THROTTLED', 'MEM PEAK', 'READ', 'WRITE', 'PSI c/m/io'],
    ...['OOM KILLS', 'PIDS PEAK', 'FORKS FAILED', 'FINDINGS'],
  ];
  const lines = table([header.map((h) => c.bold(h)), ...run.cgroups.map((s) => cgroupRow(s, c))]);
  return [
    ...lines.map((l) => `  ${l}`),
    c.dim(
      `  the ${CGROUPS_REPORTED} busiest by CPU and by memory, and any with a finding, an OOM kill or a refused fork; CPU, I/O and pressure are means over the samples that carried it, memory and tasks their peak against the limit, events totals`,
    ),
  ];
}

/** The terminal report of a check: status, USE matrix, findings, services and containers, gaps and the 60-second analysis. */
export function renderText(checked: CheckRun, opts: { color: boolean }): string {
  const run = displayable(checked);
  const c = createColors(opts.color);
  const status = runStatus(run);
  const firing = run.findings.filter((f) => f.state === 'firing');
  const counts = ['critical', 'warning']
    .map((s) => [s, firing.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const out: string[] = [];
  const when = new Date(run.startedAt).toISOString();
  out.push(
    c.bold(`usewatch check: ${run.host.hostname}`) +
      ` (${run.host.kernel}, ${run.host.cpus} CPUs) ${formatSpan(run.windowMs)} window at ${formatDuration(run.intervalMs)}, ${run.frames} samples from ${when}`,
  );
  out.push(
    `Status: ${paint(c, status === 'OK' ? 'ok' : status === 'WARNING' ? 'warning' : 'critical', status)}${counts.length ? ` (${counts.join(', ')})` : ''}`,
  );
  out.push('', `${c.bold('USE matrix')} (last sample)`, ...matrixLines(run, c));

  out.push('', c.bold('Findings'));
  if (run.findings.length === 0) out.push('  none: no rule was breached in the window');
  for (const f of run.findings) out.push(...findingLines(f, run, c));

  out.push('', c.bold('Services and containers'), ...cgroupLines(run, c));

  out.push('', c.bold('Gaps (cells /proc and /sys cannot measure here)'));
  const gaps = gapsOf(run.use);
  if (gaps.length === 0) out.push('  none');
  for (const g of gaps) {
    const where = g.instances.map((i) => instanceLabel(i, run)).join(', ');
    out.push(`  ${g.resource} ${g.dimension} (${where}): ${g.reason}`);
  }

  out.push('', c.bold('60-second analysis (Gregg)'));
  for (const step of sixtySecondAnalysis(run)) {
    out.push(`${String(step.step).padStart(2)}. ${c.bold(step.title)} ${c.dim(`(${step.command}; ${step.basis})`)}`);
    for (const line of step.lines) out.push(`    ${line}`);
  }
  return `${out.join('\n')}\n`;
}
