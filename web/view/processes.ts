import type { Frame, ProcessEntry } from '../../src/model/frame.js';
import { processUnit, type SortKey } from '../../src/tui/lists.js';
import { SORT_TITLE } from '../../src/tui/view/processes.js';
import { formatValue, formatWaitingThreads } from '../../src/use/units.js';
import { h, patch, setText } from '../dom.js';
import type { PageLists, PageModel } from '../model.js';

interface Column {
  title: string;
  sort?: SortKey;
  numeric?: boolean;
  value: (p: ProcessEntry) => string;
}

/** `top`'s columns; a click on a sortable heading sorts by it, as `s` cycles through them. */
const COLUMNS: readonly Column[] = [
  { title: 'PID', numeric: true, value: (p) => String(p.pid) },
  { title: 'USER', value: (p) => p.user },
  { title: 'S', value: (p) => p.state },
  { title: 'CPU%', sort: 'cpu', numeric: true, value: (p) => (p.cpu * 100).toFixed(1) },
  { title: 'RSS', sort: 'memory', numeric: true, value: (p) => formatValue(p.rssBytes, 'bytes') },
  {
    title: 'IO/s',
    sort: 'io',
    numeric: true,
    value: (p) =>
      p.readBps === undefined && p.writeBps === undefined
        ? '-'
        : formatValue((p.readBps ?? 0) + (p.writeBps ?? 0), 'bytes'),
  },
  { title: 'RUNQ', sort: 'runDelay', numeric: true, value: (p) => formatWaitingThreads(p.runDelay) },
  { title: 'FDS', sort: 'fds', numeric: true, value: (p) => (p.fds === undefined ? '-' : String(p.fds)) },
];

/**
 * The columns shown: the unit or container column joins, as in `top`, when some process of the
 * frame runs in a workload cgroup (frames from before cgroups were read have none).
 */
function columnsOf(frame: Frame | undefined): readonly Column[] {
  if (!frame?.processes.some((p) => p.cgroup !== undefined)) return COLUMNS;
  return [...COLUMNS, { title: 'UNIT', value: (p) => processUnit(frame, p) }];
}

function processRow(
  columns: readonly Column[],
  p: ProcessEntry,
  i: number,
  selected: boolean,
  focused: boolean,
): HTMLElement {
  // Uninterruptible sleep (D): blocked in the kernel, usually on I/O.
  const classes = `row${p.state === 'D' ? ' dstate' : ''}${selected ? ' selected' : ''}${selected && focused ? ' focused' : ''}`;
  return h(
    'tr',
    { class: classes, data: { pane: 'processes', index: String(i), pid: String(p.pid) } },
    ...columns.map((c) => h('td', { class: c.numeric ? 'num' : '' }, c.value(p))),
    h('td', { class: 'command-cell' }, h('span', { class: 'name' }, p.name), h('span', { class: 'cmd' }, p.cmd)),
  );
}

/** The top processes sorted by the chosen measure (the sorted column marked), D state highlighted, filtered. */
export function renderProcesses(m: PageModel, lists: PageLists, root: HTMLElement): void {
  const focused = m.ui.focus === 'processes';
  const columns = columnsOf(m.frame);
  const head = h(
    'tr',
    {},
    ...columns.map((c) =>
      h(
        'th',
        {
          class: `${c.numeric ? 'num' : ''}${c.sort === m.ui.sort ? ' sorted' : ''}`,
          data: c.sort ? { sort: c.sort } : {},
        },
        c.sort === m.ui.sort ? `${c.title}*` : c.title,
      ),
    ),
    h('th', {}, 'COMMAND'),
  );
  const selected = Math.min(m.ui.selected.processes, lists.processes.length - 1);
  const rows = lists.processes.map((p, i) => processRow(columns, p, i, i === selected, focused));
  const body = h('tbody', {}, ...rows);
  if (rows.length === 0 && m.frame)
    body.append(
      h('tr', {}, h('td', { class: 'empty', attrs: { colspan: String(columns.length + 1) } }, 'no processes match')),
    );
  const filter = m.ui.filter ? `filter "${m.ui.filter}" · ` : '';
  setText(root.querySelector('h2 .aside')!, `${filter}sort ${SORT_TITLE[m.ui.sort]} (s) · services (v)`);
  patch(root.querySelector('table')!, [h('thead', {}, head), body]);
  root.classList.toggle('focused', focused);
}
