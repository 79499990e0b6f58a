import type { Frame, ProcessEntry } from '../../model/frame.js';
import { formatValue, formatWaitingThreads } from '../../use/units.js';
import { processUnit, type SortKey } from '../lists.js';
import { compose, type Part } from './compose.js';
import type { Canvas, ScreenModel } from './model.js';
import { listLines, titleLine } from './section.js';

interface Column {
  title: string;
  width: number;
  left?: boolean;
  sort?: SortKey;
  value: (p: ProcessEntry) => string;
}

const COLUMNS: readonly Column[] = [
  { title: 'PID', width: 7, value: (p) => String(p.pid) },
  { title: 'USER', width: 8, left: true, value: (p) => p.user },
  { title: 'S', width: 1, left: true, value: (p) => p.state },
  { title: 'CPU%', width: 6, sort: 'cpu', value: (p) => (p.cpu * 100).toFixed(1) },
  { title: 'RSS', width: 6, sort: 'memory', value: (p) => formatValue(p.rssBytes, 'bytes') },
  { title: 'IO/s', width: 7, sort: 'io', value: io },
  { title: 'RUNQ', width: 5, sort: 'runDelay', value: (p) => formatWaitingThreads(p.runDelay) },
  { title: 'FDS', width: 5, sort: 'fds', value: (p) => (p.fds === undefined ? '-' : String(p.fds)) },
];

const UNIT_WIDTH = 16;
/** The command keeps at least this many columns: the unit column is the first to go when space is short. */
const COMMAND_MIN = 24;
const FIXED_WIDTH = 2 + COLUMNS.reduce((n, col) => n + col.width + 1, 0);

/**
 * The columns on screen: the unit or container column joins when some process of the frame runs
 * in a workload cgroup (frames from before cgroups were read have none) and the terminal leaves
 * the command its room beside it.
 */
function columnsFor(frame: Frame | undefined, cols: number): readonly Column[] {
  const known = frame?.processes.some((p) => p.cgroup !== undefined) ?? false;
  if (!known || cols - FIXED_WIDTH - UNIT_WIDTH - 1 < COMMAND_MIN) return COLUMNS;
  const unit: Column = { title: 'UNIT', width: UNIT_WIDTH, left: true, value: (p) => processUnit(frame, p) };
  return [...COLUMNS, unit];
}

function io(p: ProcessEntry): string {
  if (p.readBps === undefined && p.writeBps === undefined) return '-';
  return formatValue((p.readBps ?? 0) + (p.writeBps ?? 0), 'bytes');
}

export const SORT_TITLE: Record<SortKey, string> = {
  cpu: 'cpu',
  memory: 'memory',
  io: 'io',
  runDelay: 'run delay',
  fds: 'fds',
};

/** Uninterruptible sleep (D) means blocked in the kernel, usually on I/O: worth the eye's attention. */
function isBlocked(p: ProcessEntry): boolean {
  return p.state === 'D';
}

/** A process's row: its columns, then its name and command line. */
function processRow(p: ProcessEntry, columns: readonly Column[], isSelected: boolean, c: Canvas): string {
  const { theme, glyphs } = c;
  const blocked = isBlocked(p);
  const parts: Part[] = [{ text: isSelected ? glyphs.select : '', width: 2 }];
  for (const col of columns) {
    const paint = col.title === 'S' && blocked ? theme.alert : undefined;
    parts.push(
      { text: col.value(p), width: col.width, align: col.left ? 'left' : 'right', paint },
      { text: ' ', width: 1 },
    );
  }
  const command = p.cmd && p.cmd !== p.name ? `${p.name}  ${p.cmd}` : p.name;
  parts.push({ text: command, flex: true, paint: isSelected ? theme.selected : blocked ? theme.alert : undefined });
  return compose(c.cols, parts, glyphs.ellipsis);
}

/** Top processes sorted by the chosen measure, D state highlighted, filtered by name, with their unit. */
export function renderProcesses(m: ScreenModel, c: Canvas, height: number, list: readonly ProcessEntry[]): string[] {
  const { theme, glyphs } = c;
  const focused = m.ui.focus === 'processes' && !m.ui.detail && !m.ui.help;
  const filter = m.ui.filter ? `filter "${m.ui.filter}" ${glyphs.dot} ` : '';
  const title = titleLine('PROCESSES', focused, c, `${filter}sort ${SORT_TITLE[m.ui.sort]} (s)`);
  if (height <= 1) return [title].slice(0, height);
  const columns = columnsFor(m.frame, c.cols);
  const header: Part[] = [{ text: '', width: 2 }];
  for (const col of columns) {
    const name = col.sort === m.ui.sort ? `${col.title}*` : col.title;
    header.push(
      {
        text: name,
        width: col.width,
        align: col.left ? 'left' : 'right',
        paint: col.sort === m.ui.sort ? theme.label : undefined,
      },
      { text: ' ', width: 1 },
    );
  }
  header.push({ text: 'COMMAND', flex: true });
  const head = [title, compose(c.cols, header, glyphs.ellipsis)];
  const empty = m.frame ? '  no processes match' : '';
  return listLines(
    head,
    height,
    {
      items: list,
      selected: m.ui.selected.processes,
      focused,
      empty,
      row: (p, selected) => processRow(p, columns, selected, c),
    },
    c,
  );
}
