import type { MetricName } from '../../catalog/index.js';
import { formatValue } from '../../use/units.js';
import { type CgroupRow, type CgroupSortKey, ioBytesPerSecond, worstPressure } from '../cgroups.js';
import { compose, type Part } from './compose.js';
import { severityTag } from './findings.js';
import type { Canvas, ScreenModel } from './model.js';
import { listLines, titleLine } from './section.js';

interface Column {
  title: string;
  width: number;
  left?: boolean;
  sort?: CgroupSortKey;
  value: (row: CgroupRow) => string;
}

function figure(name: MetricName, unit: string): (row: CgroupRow) => string {
  return (row) => formatValue(row.figures[name], unit);
}

function pids(row: CgroupRow): string {
  const current = row.figures['cgroup.pids.current'];
  if (current === undefined) return '-';
  const max = row.entry.pidsMax;
  return max === undefined
    ? formatValue(current, 'count')
    : `${formatValue(current, 'count')}/${formatValue(max, 'count')}`;
}

const KIND: Column = { title: 'KIND', width: 9, left: true, value: (r) => r.entry.kind };
const PIDS: Column = { title: 'PIDS', width: 11, value: pids };
/** CPU, throttling and memory: the same on every width. */
const CORE: readonly Column[] = [
  { title: 'CPU', width: 5, sort: 'cpu', value: figure('cgroup.cpu.usage', 'cpus') },
  { title: 'CPU%', width: 6, value: figure('cgroup.cpu.utilization', 'ratio') },
  { title: 'THR%', width: 6, sort: 'throttled', value: figure('cgroup.cpu.throttled', 'ratio') },
  { title: 'MEM', width: 6, sort: 'memory', value: figure('cgroup.memory.working_set', 'bytes') },
  { title: 'MEM%', width: 6, value: figure('cgroup.memory.utilization', 'ratio') },
];

/** Wide terminals: the kind, reads and writes apart, and each resource's pressure. */
const WIDE: readonly Column[] = [
  KIND,
  ...CORE,
  { title: 'RD/s', width: 6, sort: 'io', value: figure('cgroup.io.read_bps', 'bytes') },
  { title: 'WR/s', width: 6, sort: 'io', value: figure('cgroup.io.write_bps', 'bytes') },
  { title: 'P-CPU', width: 6, sort: 'pressure', value: figure('cgroup.cpu.pressure', 'ratio') },
  { title: 'P-MEM', width: 6, sort: 'pressure', value: figure('cgroup.memory.pressure', 'ratio') },
  { title: 'P-IO', width: 6, sort: 'pressure', value: figure('cgroup.io.pressure', 'ratio') },
  PIDS,
];

/** Narrow terminals: I/O as one rate and the worst of the three pressures. */
const NARROW: readonly Column[] = [
  ...CORE,
  { title: 'IO/s', width: 6, sort: 'io', value: (r) => formatValue(ioBytesPerSecond(r), 'bytes') },
  { title: 'PSI', width: 6, sort: 'pressure', value: (r) => formatValue(worstPressure(r), 'ratio') },
  PIDS,
];

/** Selection marker and finding tag before the name; each column has a space after it. */
const LEAD = 2 + 5;
const NAME_MIN = 20;

function widthOf(columns: readonly Column[]): number {
  return LEAD + NAME_MIN + columns.reduce((n, col) => n + col.width + 1, 0);
}

/**
 * The columns that fit: the wide set when it leaves the name its room, else the narrow one less
 * its rightmost columns (never the one sorted by) until it does.
 */
export function serviceColumns(cols: number, sort: CgroupSortKey): readonly Column[] {
  if (widthOf(WIDE) <= cols) return WIDE;
  let columns = NARROW;
  while (widthOf(columns) > cols) {
    const drop = columns.findLastIndex((col) => col.sort !== sort);
    if (drop < 0) break;
    columns = columns.filter((_, i) => i !== drop);
  }
  return columns;
}

export const CGROUP_SORT_TITLE: Record<CgroupSortKey, string> = {
  cpu: 'cpu',
  memory: 'memory',
  io: 'io',
  pressure: 'pressure',
  throttled: 'throttling',
};

function serviceRow(row: CgroupRow, columns: readonly Column[], isSelected: boolean, c: Canvas): string {
  const { theme, glyphs } = c;
  const f = row.finding;
  const parts: Part[] = [
    { text: isSelected ? glyphs.select : '', width: 2 },
    { text: f ? severityTag(f) : '', width: 5, paint: f && theme.severity[f.severity] },
    { text: row.entry.name, flex: true, paint: isSelected ? theme.selected : undefined },
  ];
  for (const col of columns) {
    parts.push({ text: ' ', width: 1 }, { text: col.value(row), width: col.width, align: col.left ? 'left' : 'right' });
  }
  return compose(c.cols, parts, glyphs.ellipsis);
}

function emptyText(m: ScreenModel): string {
  if (!m.frame) return '';
  if (m.frame.cgroups === undefined) return '  none carried: this source does not read services and containers';
  if (m.frame.cgroups.length === 0) return '  none carried on this sample';
  return '  no service or container matches';
}

/** The carried cgroups with their USE figures, sorted by the chosen measure, active findings marked. */
export function renderServices(m: ScreenModel, c: Canvas, height: number, rows: readonly CgroupRow[]): string[] {
  const { theme, glyphs } = c;
  const focused = m.ui.focus === 'services' && !m.ui.detail && !m.ui.help;
  const filter = m.ui.filter ? `filter "${m.ui.filter}" ${glyphs.dot} ` : '';
  const note = `${filter}sort ${CGROUP_SORT_TITLE[m.ui.cgroupSort]} (s) ${glyphs.dot} processes (v)`;
  const title = titleLine('SERVICES AND CONTAINERS', focused, c, note);
  if (height <= 1) return [title].slice(0, height);
  const columns = serviceColumns(c.cols, m.ui.cgroupSort);
  const header: Part[] = [
    { text: '', width: LEAD },
    { text: 'NAME', flex: true },
  ];
  for (const col of columns) {
    const sorted = col.sort === m.ui.cgroupSort;
    header.push(
      { text: ' ', width: 1 },
      {
        text: sorted ? `${col.title}*` : col.title,
        width: col.width,
        align: col.left ? 'left' : 'right',
        paint: sorted ? theme.label : undefined,
      },
    );
  }
  return listLines(
    [title, compose(c.cols, header, glyphs.ellipsis)],
    height,
    {
      items: rows,
      selected: m.ui.selected.services,
      focused,
      empty: emptyText(m),
      row: (row, selected) => serviceRow(row, columns, selected, c),
    },
    c,
  );
}
