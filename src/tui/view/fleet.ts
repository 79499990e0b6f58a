import { type Fleet, type FleetHost, type FleetStatus, filterHosts } from '../../fleet/model.js';
import { DIMENSIONS, type Resource } from '../../model/frame.js';
import { formatClock } from '../../text/clock.js';
import { sanitize } from '../../text/sanitize.js';
import { formatSpan } from '../../use/units.js';
import type { FleetUi } from '../fleet-state.js';
import { fitWidth } from '../text.js';
import { type ScreenOptions, themeFor } from '../theme.js';
import { compose, type Part } from './compose.js';
import type { Canvas } from './model.js';
import { listLines, titleLine } from './section.js';

/** What the fleet screen shows: the UI state, the latest refresh (hosts sorted) and where it came from. */
export interface FleetScreenModel {
  ui: FleetUi;
  /** Undefined until the first refresh has answered. */
  fleet?: Fleet;
  prometheus: string;
  selector: string;
  intervalMs: number;
  refreshedAt?: number;
  /** A problem to show on the status line: a failed refresh, a host's feed that refused. */
  notice?: string;
}

/** The smallest terminal, as top's; not imported from its screen module, which would load all of top's views. */
const MIN_COLS = 80;
const MIN_ROWS = 24;
const MARKER = 2;
/** Three status letters (utilization, saturation, errors) and a space. */
const GROUP = 4;
const FIRING = 6;
const SHORT: Record<Resource, string> = {
  cpu: 'cpu',
  memory: 'mem',
  disk: 'dsk',
  network: 'net',
  filesystem: 'fs',
  fd: 'fd',
  tasks: 'tsk',
  tcp: 'tcp',
  conntrack: 'ctk',
};
/** The fleet's canvas: top's, plus the mark of an ok cell (a middle dot on UTF-8 terminals). */
type FleetCanvas = Canvas & { okMark: string };

const LETTER: Record<Exclude<FleetStatus, 'ok'>, string> = { warning: 'W', critical: 'C', unknown: '?' };

/** The hosts on screen, in their order: the refresh's sorted hosts through the filter. */
export function fleetRows(m: Pick<FleetScreenModel, 'fleet' | 'ui'>): readonly FleetHost[] {
  return m.fleet ? filterHosts(m.fleet.hosts, m.ui.filter) : [];
}

function counts(hosts: readonly FleetHost[]): string {
  const by = new Map<string, number>();
  for (const h of hosts) by.set(h.worst, (by.get(h.worst) ?? 0) + 1);
  const parts = (['down', 'critical', 'warning', 'unknown', 'ok'] as const)
    .filter((s) => by.has(s))
    .map((s) => `${by.get(s)} ${s}`);
  const firing = hosts.reduce((n, h) => n + h.firing, 0);
  return `${hosts.length} host${hosts.length === 1 ? '' : 's'}: ${parts.join(', ')}  ${firing} firing`;
}

function header(m: FleetScreenModel, c: Canvas): string[] {
  const { theme, glyphs } = c;
  const when = m.refreshedAt === undefined ? 'waiting for Prometheus' : formatClock(m.refreshedAt);
  return [
    compose(
      c.cols,
      [
        { text: ' usewatch fleet ', paint: theme.title },
        { text: ` ${m.prometheus} `, paint: theme.label },
        { text: ` ${m.selector || 'all usewatch targets'} `, flex: true },
        { text: ` every ${formatSpan(m.intervalMs)}  ${when} `, paint: theme.dim },
      ],
      glyphs.ellipsis,
    ),
    compose(c.cols, [{ text: ` ${m.fleet ? counts(m.fleet.hosts) : ''}`, flex: true }], glyphs.ellipsis),
  ];
}

/** The host column: as wide as the longest name, within what the other columns leave. */
function hostWidth(rows: readonly FleetHost[], resources: readonly Resource[], cols: number): number {
  let longest = 4;
  for (const h of rows) longest = Math.max(longest, h.name.length);
  const room = cols - MARKER - resources.length * GROUP - FIRING - 8;
  return Math.max(12, Math.min(longest + 2, 48, room));
}

/** A host's letters, GROUP columns per resource; each letter is painted alone, so widths are counted before colour. */
function cellLetters(host: FleetHost, resources: readonly Resource[], c: FleetCanvas): string {
  let out = '';
  for (const r of resources) {
    const row = host.cells[r];
    for (const d of DIMENSIONS) {
      const s = row?.[d];
      out += s === undefined ? ' ' : c.theme.status[s](s === 'ok' ? c.okMark : LETTER[s]);
    }
    out += ' '.repeat(GROUP - DIMENSIONS.length);
  }
  return out;
}

/** The columns of the host list: the resources present, and the width of the host column. */
interface Columns {
  resources: readonly Resource[];
  host: number;
}

function hostLine(host: FleetHost, { resources, host: width }: Columns, selected: boolean, c: FleetCanvas): string {
  const { theme, glyphs } = c;
  const first = host.findings[0];
  const note = host.worst === 'down' ? 'down: scrape failed' : first ? `${first.rule} ${first.instance}`.trim() : '';
  const left = compose(
    MARKER + width,
    [
      { text: selected ? glyphs.select : '', width: MARKER },
      { text: host.name, width: width - 1 },
    ],
    glyphs.ellipsis,
  );
  const cells = cellLetters(host, resources, c);
  const right = compose(
    Math.max(0, c.cols - MARKER - width - resources.length * GROUP),
    [
      { text: host.firing > 0 ? String(host.firing) : '', width: FIRING - 2, align: 'right' },
      { text: '', width: 2 },
      { text: note, flex: true, paint: host.worst === 'down' ? theme.alert : theme.dim },
    ],
    glyphs.ellipsis,
  );
  const line = left + cells + right;
  return selected ? theme.selected(line) : line;
}

function columnHeader({ resources, host }: Columns, c: Canvas): string {
  const parts: Part[] = [
    { text: '', width: MARKER },
    { text: 'HOST', width: host },
    ...resources.map((r) => ({ text: SHORT[r], width: GROUP })),
    { text: 'FIRE', width: FIRING - 2, align: 'right' as const },
    { text: '', width: 2 },
    { text: 'FINDINGS', flex: true },
  ];
  return compose(c.cols, parts, c.glyphs.ellipsis);
}

function hostsSection(m: FleetScreenModel, c: FleetCanvas, height: number, rows: readonly FleetHost[]): string[] {
  const resources = m.fleet?.resources ?? [];
  const columns: Columns = { resources, host: hostWidth(rows, resources, c.cols) };
  const selected = Math.max(
    0,
    rows.findIndex((h) => h.name === m.ui.selected),
  );
  const note = m.ui.filter
    ? `filter "${fitWidth(sanitize(m.ui.filter), 20).trimEnd()}": ${rows.length}`
    : 'worst first, then firing findings';
  return listLines(
    [titleLine('HOSTS', true, c, note), c.theme.label(columnHeader(columns, c))],
    height,
    {
      items: rows,
      selected,
      focused: true,
      empty: m.fleet ? '  no host matches the filter' : '  waiting for the first answer from Prometheus',
      row: (host, isSelected) => hostLine(host, columns, isSelected, c),
    },
    c,
  );
}

function findingsSection(host: FleetHost | undefined, c: Canvas, height: number): string[] {
  if (height <= 0) return [];
  const { theme, glyphs } = c;
  // A title is not fitted by compose: the host's name is sanitised and cut here, leaving the rule room.
  const name = host ? fitWidth(sanitize(host.name), Math.min(60, c.cols - 30), 'left', glyphs.ellipsis).trimEnd() : '';
  const lines = [
    titleLine(host ? `FINDINGS ${name}` : 'FINDINGS', false, c, host ? `${host.findings.length} active` : ''),
  ];
  if (host && host.findings.length === 0) lines.push(theme.dim('  none'));
  for (const f of host?.findings ?? []) {
    if (lines.length >= height) break;
    const sev = f.severity === 'critical' ? 'crit' : 'warn';
    lines.push(
      compose(
        c.cols,
        [
          { text: '  ' },
          {
            text: f.firing ? sev : sev.toLowerCase(),
            width: 5,
            paint: f.firing ? theme.severity[f.severity] : theme.dim,
          },
          { text: f.firing ? 'firing ' : 'pending', width: 8 },
          { text: `${f.rule} ${f.instance}`.trim(), width: 34 },
          { text: f.culprit ? `top: ${f.culprit}` : '', flex: true, paint: theme.dim },
        ],
        glyphs.ellipsis,
      ),
    );
  }
  return lines;
}

const HELP = [
  'Hosts are the targets Prometheus scrapes with usewatch series, by their `instance` label.',
  'Each resource shows three letters: utilization, saturation, errors: the worst status over its',
  'instances (disks, interfaces, mounts). C critical, W warning, ? unknown (metric missing), . ok,',
  'blank: not measured. FIRE: findings firing. Hosts are sorted worst first, then by firing findings.',
  '',
  'up/down/pgup/pgdn/home/end  select a host',
  "enter                       the host's live view (its /feed, as top --connect); esc or q returns",
  '/                           filter by host, job or rule (enter keeps, esc clears)',
  'esc                         clear the filter, close this help',
  '?                           this help',
  'q, ctrl-c                   quit',
];

function footer(m: FleetScreenModel, c: Canvas): string {
  const { theme, glyphs } = c;
  if (m.ui.filterEditing)
    return compose(
      c.cols,
      [
        { text: ' filter: ', paint: theme.label },
        { text: `${m.ui.filter}_`, width: 40 },
        { text: 'enter keep, esc clear', flex: true, paint: theme.dim },
      ],
      glyphs.ellipsis,
    );
  const d = glyphs.dot;
  const full = ` q quit ${d} enter live view ${d} / filter ${d} ? help`;
  const short = ` q quit ${d} ? help`;
  // A notice (a refused feed, a failed refresh) is what the user needs to read: the hints give way first.
  const notice = m.notice ? ` ${m.notice} ` : '';
  const hints = notice.length + full.length <= c.cols ? full : short;
  const parts: Part[] = [];
  if (notice) parts.push({ text: notice, width: Math.max(0, c.cols - hints.length), paint: theme.alert });
  parts.push({ text: hints, flex: true, paint: theme.dim });
  return compose(c.cols, parts, glyphs.ellipsis);
}

/** The fleet screen as `rows` lines of at most `cols` columns. Pure, as top's renderScreen. */
export function renderFleetScreen(m: FleetScreenModel, opts: ScreenOptions): string[] {
  const theme = themeFor(opts);
  const c: FleetCanvas = {
    cols: opts.cols,
    theme,
    glyphs: theme.glyphs,
    statusMarks: !opts.color,
    okMark: opts.unicode ? '\u00b7' : '.',
  };
  if (opts.cols < MIN_COLS || opts.rows < MIN_ROWS) {
    const message = `terminal too small (${opts.cols}x${opts.rows}): usewatch fleet needs ${MIN_COLS}x${MIN_ROWS}`;
    return [compose(opts.cols, [{ text: message }], c.glyphs.ellipsis), ...new Array<string>(opts.rows - 1).fill('')];
  }
  const lines = header(m, c);
  const body = opts.rows - lines.length - 1;
  if (m.ui.help) {
    lines.push(titleLine('HELP', true, c, 'esc closes'));
    for (const text of HELP.slice(m.ui.scroll, m.ui.scroll + body - 1))
      lines.push(compose(c.cols, [{ text: ` ${text}` }], c.glyphs.ellipsis));
  } else {
    const rows = fleetRows(m);
    const selected = rows.find((h) => h.name === m.ui.selected) ?? rows[0];
    const findings = Math.min(8, Math.max(3, 1 + (selected?.findings.length ?? 1)));
    const hosts = hostsSection(m, c, body - findings, rows);
    while (hosts.length < body - findings) hosts.push('');
    lines.push(...hosts, ...findingsSection(selected, c, findings));
  }
  while (lines.length < opts.rows - 1) lines.push('');
  lines.length = opts.rows - 1;
  lines.push(footer(m, c));
  return lines;
}
