import type { CgroupRow } from '../../src/tui/cgroups.js';
import { severityTag } from '../../src/tui/view/findings.js';
import { CGROUP_SORT_TITLE, serviceColumns } from '../../src/tui/view/services.js';
import { patch, setText, type VNode, v } from '../dom.js';
import type { PageLists, PageModel } from '../model.js';

/** `top`'s columns of a wide terminal: a page has the room for every one of them. */
function columns(m: PageModel): ReturnType<typeof serviceColumns> {
  return serviceColumns(Number.POSITIVE_INFINITY, m.ui.cgroupSort);
}

function emptyText(m: PageModel): string {
  if (!m.frame) return '';
  if (m.frame.cgroups === undefined) return 'none carried: this source does not read services and containers';
  if (m.frame.cgroups.length === 0) return 'none carried on this sample';
  return 'no service or container matches';
}

function serviceRow(m: PageModel, row: CgroupRow, i: number, selected: boolean, focused: boolean): VNode {
  const f = row.finding;
  const classes = `row${selected ? ' selected' : ''}${selected && focused ? ' focused' : ''}`;
  return v(
    'tr',
    { class: classes, data: { pane: 'services', index: String(i), cgroup: row.entry.id } },
    v('td', { class: f ? `sev st-${f.severity}` : '' }, f ? severityTag(f) : ''),
    v('td', { class: 'name', title: row.entry.id }, row.entry.name),
    ...columns(m).map((c) => v('td', { class: c.left ? '' : 'num' }, c.value(row))),
  );
}

/**
 * The services and containers the frame carries, with `top`'s columns, sort and filter: the table
 * `v` shows in place of the processes.
 */
export function renderServices(m: PageModel, lists: PageLists, root: HTMLElement): void {
  const focused = m.ui.focus === 'services';
  const sort = m.ui.cgroupSort;
  const head = v(
    'tr',
    {},
    v('th', {}, ''),
    v('th', {}, 'NAME'),
    ...columns(m).map((c) =>
      v(
        'th',
        {
          class: `${c.left ? '' : 'num'}${c.sort === sort ? ' sorted' : ''}`,
          data: c.sort ? { cgroupSort: c.sort } : {},
        },
        c.sort === sort ? `${c.title}*` : c.title,
      ),
    ),
  );
  const selected = Math.min(m.ui.selected.services, lists.services.length - 1);
  const rows = lists.services.map((r, i) => serviceRow(m, r, i, i === selected, focused));
  if (lists.services.length === 0 && m.frame)
    rows.push(
      v('tr', {}, v('td', { class: 'empty', attrs: { colspan: String(columns(m).length + 2) } }, emptyText(m))),
    );
  const body = v('tbody', {}, ...rows);
  const filter = m.ui.filter ? `filter "${m.ui.filter}" · ` : '';
  setText(root.querySelector('h2 .aside')!, `${filter}sort ${CGROUP_SORT_TITLE[sort]} (s) · processes (v)`);
  patch(root.querySelector('table')!, [v('thead', {}, head), body]);
  root.classList.toggle('focused', focused);
}
