import { catalogByName, type MetricName } from '../../catalog/index.js';
import { DIMENSIONS, type Dimension } from '../../model/frame.js';
import { formatValue } from '../../use/units.js';
import { sparkline } from '../history.js';
import { type CellView, cellKey, type GridRow } from '../lists.js';
import { compose, type Part } from './compose.js';
import type { Canvas, ScreenModel } from './model.js';
import { listLines, titleLine } from './section.js';

const MARKER = 2;
const VALUE = 7;
const WINDOW_MS = 60_000;
/** Without colour the status would be invisible: a letter after the value says it instead. */
const STATUS_MARK: Partial<Record<string, string>> = { critical: 'C', warning: 'W', unknown: '?' };

/**
 * A word after a saturation value saying what it measures: a resource's saturation cell switches
 * between metrics with the worst rule, and "0%" (pressure) or "0.1" (queue depth) alone do not say
 * which. The help legend lists them.
 */
export const CELL_TAGS: Readonly<Record<string, string>> = {
  'cpu.run_delay_per_cpu': 'runq',
  'cpu.psi_some': 'psi',
  'cpu.steal': 'steal',
  'memory.swap_out_bps': 'swpout',
  'memory.swap_in_bps': 'swpin',
  'memory.scan_direct_ps': 'scan',
  'memory.major_faults_ps': 'majflt',
  'memory.psi_some': 'psi',
  'memory.psi_full': 'psi-f',
  'disk.queue_depth': 'queue',
  'disk.await_ms': 'await',
  'disk.psi_some': 'psi',
  'disk.psi_full': 'psi-f',
  'net.drops_ps': 'drops',
  'net.drop_ratio': 'drops',
  'net.softnet_drops_ps': 'backlg',
  'net.udp_rcvbuf_errors_ps': 'udpbuf',
  'tcp.retrans_ratio': 'retrans',
  'tcp.listen_overflows_ps': 'accq',
  'tcp.reqq_full_drops_ps': 'synq',
  'fs.hours_to_full': 'tofull',
  'cgroup.cpu.throttled': 'thrtl',
  'cgroup.cpu.throttled_time': 'thrtl-t',
  'cgroup.cpu.pressure': 'psi',
  'cgroup.memory.pressure': 'psi',
  'cgroup.memory.high_events': 'high',
  'cgroup.memory.max_events': 'max',
  'cgroup.io.pressure': 'psi',
} satisfies Partial<Record<MetricName, string>>;

export function unitOf(cell: CellView): string | undefined {
  return cell.unit ?? (cell.metric ? catalogByName.get(cell.metric)?.unit : undefined);
}

function cellParts(m: ScreenModel, row: GridRow, dimension: Dimension, width: number, c: Canvas): Part[] {
  const cell = row.cells[dimension];
  const tag = dimension === 'saturation' && cell?.metric ? CELL_TAGS[cell.metric] : undefined;
  const tagWidth = tag ? tag.length + 1 : 0;
  const sparkWidth = Math.max(0, width - VALUE - 2 - tagWidth);
  if (!cell) return [{ text: '', width }];
  const paint = cell.status ? c.theme.status[cell.status] : undefined;
  if (cell.status === 'gap')
    return [
      { text: 'gap', width: VALUE, align: 'right', paint: c.theme.dim },
      { text: '', width: width - VALUE },
    ];
  const unit = unitOf(cell);
  const value = cell.status === 'unknown' && cell.value === undefined ? 'n/a' : formatValue(cell.value, unit);
  const spark = m.frame
    ? sparkline(m.history, cellKey(row.resource, row.instance, dimension), m.frame.ts, {
        width: sparkWidth,
        windowMs: WINDOW_MS,
        intervalMs: m.intervalMs,
        fixedMax: unit === 'ratio' ? 1 : undefined,
        levels: c.glyphs.spark,
      })
    : '';
  return [
    { text: value, width: VALUE, align: 'right', paint },
    { text: c.statusMarks ? (STATUS_MARK[cell.status ?? 'ok'] ?? ' ') : ' ', width: 1, paint },
    ...(tag ? [{ text: `${tag} `, width: tag.length + 1, paint: c.theme.dim }] : []),
    { text: spark, width: sparkWidth, paint: paint ?? c.theme.accent },
    { text: ' ', width: width - VALUE - 1 - tagWidth - sparkWidth },
  ];
}

/** The USE matrix: one row per resource instance, U/S/E cells with value and a one-minute sparkline. */
export function renderGrid(m: ScreenModel, c: Canvas, height: number, rows: readonly GridRow[]): string[] {
  const focused = m.ui.focus === 'grid' && !m.ui.detail && !m.ui.help;
  const perCpu = m.ui.perCpu ? 'per-CPU on (c)' : 'per-CPU off (c)';
  const title = titleLine('USE', focused, c, `last 60s ${c.glyphs.dot} ${perCpu}`);
  if (height <= 1) return [title].slice(0, height);
  const labelWidth = c.cols >= 110 ? 16 : 12;
  const cellWidth = Math.floor((c.cols - MARKER - labelWidth) / 3);
  const header = compose(
    c.cols,
    [
      { text: '', width: MARKER },
      { text: 'RESOURCE', width: labelWidth },
      { text: 'UTILIZATION', width: cellWidth },
      { text: 'SATURATION', width: cellWidth },
      { text: 'ERRORS', width: cellWidth },
    ],
    c.glyphs.ellipsis,
  );
  return listLines(
    [title, header],
    height,
    {
      items: rows,
      selected: m.ui.selected.grid,
      focused,
      empty: '  no USE evaluation in this source (no checklist loaded)',
      row: (row, isSelected) => {
        const parts: Part[] = [
          { text: isSelected ? c.glyphs.select : '', width: MARKER },
          { text: row.label, width: labelWidth, paint: isSelected ? c.theme.selected : c.theme.label },
        ];
        for (const d of DIMENSIONS) parts.push(...cellParts(m, row, d, cellWidth, c));
        return compose(c.cols, parts, c.glyphs.ellipsis);
      },
    },
    c,
  );
}
