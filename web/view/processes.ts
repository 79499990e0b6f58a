import type { Frame, ProcessEntry } from '../../src/model/frame.js';
import { processUnit, type SortKey } from '../../src/tui/lists.js';
import { SORT_TITLE } from '../../src/tui/view/processes.js';
import { formatValue, formatWaitingThreads } from '../../src/use/units.js';
import { h, patch, setClass, setText } from '../dom.js';
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

/** A row of the table, kept across frames: its element and its texts, the columns' then the name and command line. */
interface RowParts {
  tr: HTMLTableRowElement;
  texts: Text[];
}

function makeRow(columns: readonly Column[]): RowParts {
  const texts = [...columns, 'name', 'cmd'].map(() => document.createTextNode(''));
  const cells = columns.map((c, i) => h('td', { class: c.numeric ? 'num' : '' }, texts[i]));
  const command = h(
    'td',
    { class: 'command-cell' },
    h('span', { class: 'name' }, texts[columns.length]),
    h('span', { class: 'cmd' }, texts[columns.length + 1]),
  );
  return { tr: h('tr', {}, ...cells, command), texts };
}

function setData(el: HTMLElement, key: string, value: string): void {
  if (el.dataset[key] !== value) el.dataset[key] = value;
}

/**
 * The top processes sorted by the chosen measure (the sorted column marked), D state highlighted,
 * filtered. Rows are kept by position across frames and only their changed texts and attributes are
 * set: a frame costs a few text nodes, not a table built and compared.
 */
export class ProcessTable {
  private readonly table: HTMLTableElement;
  private readonly head = h('thead');
  private readonly body = h('tbody');
  private rows: RowParts[] = [];
  private columnTitles = '';
  private headKey = '';

  constructor(private readonly root: HTMLElement) {
    this.table = root.querySelector('table')!;
    this.table.replaceChildren(this.head, this.body);
  }

  render(m: PageModel, lists: PageLists): void {
    const focused = m.ui.focus === 'processes';
    const columns = columnsOf(m.frame);
    this.renderHead(columns, m.ui.sort);
    const selected = Math.min(m.ui.selected.processes, lists.processes.length - 1);
    for (const [i, p] of lists.processes.entries()) this.renderRow(columns, i, p, i === selected, focused);
    this.trim(lists.processes.length, columns, m.frame !== undefined);
    const filter = m.ui.filter ? `filter "${m.ui.filter}" · ` : '';
    setText(this.root.querySelector('h2 .aside')!, `${filter}sort ${SORT_TITLE[m.ui.sort]} (s) · services (v)`);
    this.root.classList.toggle('focused', focused);
  }

  /** The headings, rebuilt when the columns or the sort change; the rows too when the columns do. */
  private renderHead(columns: readonly Column[], sort: SortKey): void {
    const titles = columns.map((c) => c.title).join('|');
    if (titles !== this.columnTitles) {
      this.columnTitles = titles;
      this.rows = [];
      this.body.replaceChildren();
    }
    if (`${titles}|${sort}` === this.headKey) return;
    this.headKey = `${titles}|${sort}`;
    const cells = columns.map((c) =>
      h(
        'th',
        { class: `${c.numeric ? 'num' : ''}${c.sort === sort ? ' sorted' : ''}`, data: c.sort ? { sort: c.sort } : {} },
        c.sort === sort ? `${c.title}*` : c.title,
      ),
    );
    patch(this.head, [h('tr', {}, ...cells, h('th', {}, 'COMMAND'))]);
  }

  private renderRow(columns: readonly Column[], i: number, p: ProcessEntry, selected: boolean, focused: boolean): void {
    let row = this.rows[i];
    if (!row) {
      row = makeRow(columns);
      this.rows.push(row);
      this.body.append(row.tr);
    }
    // Uninterruptible sleep (D): blocked in the kernel, usually on I/O.
    setClass(
      row.tr,
      `row${p.state === 'D' ? ' dstate' : ''}${selected ? ' selected' : ''}${selected && focused ? ' focused' : ''}`,
    );
    setData(row.tr, 'pane', 'processes');
    setData(row.tr, 'index', String(i));
    setData(row.tr, 'pid', String(p.pid));
    const values = [...columns.map((c) => c.value(p)), p.name, p.cmd];
    for (const [k, text] of row.texts.entries()) if (text.data !== values[k]) text.data = values[k];
  }

  /** Drops the rows past the last process; with none left, says that none match. */
  private trim(count: number, columns: readonly Column[], hasFrame: boolean): void {
    for (const row of this.rows.splice(count)) row.tr.remove();
    const empty = this.body.querySelector('td.empty');
    if (count > 0 || !hasFrame) return void empty?.parentElement?.remove();
    if (!empty)
      this.body.append(
        h('tr', {}, h('td', { class: 'empty', attrs: { colspan: String(columns.length + 1) } }, 'no processes match')),
      );
  }
}
