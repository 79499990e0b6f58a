import { h } from '../dom.js';

const KEYS: readonly [string, string][] = [
  ['space', 'pause / resume: the page stays on the frame you froze while frames keep arriving'],
  ['←, →', 'one frame back / forward (shift: ten); pauses'],
  ['home, end', 'the oldest / newest frame held; pauses'],
  ['tab, shift-tab', 'move focus: USE grid, findings, processes'],
  ['↑, ↓, pgup, pgdn', 'select a row; scroll a detail or this page'],
  ['enter', 'detail of the selected resource, finding or process'],
  ['esc', 'back; clears the process filter'],
  ['s', 'sort processes: cpu, memory, io, run delay, fds; services: cpu, memory, io, pressure, throttling'],
  ['v', 'services and containers / processes'],
  ['c', 'per-CPU rows in the USE grid'],
  ['/', 'filter processes by name or command, services by name or id (enter keeps it, esc clears it)'],
  ['?', 'this help'],
  [
    'mouse, touch',
    'click a row to select it, again to open it; click a column to sort; drag on a chart to zoom, double-click to zoom out; the bar at the bottom scrubs',
  ],
];

const LEGEND: readonly [string, string][] = [
  ['U S E', 'utilization, saturation, errors of each resource (the USE method)'],
  ['colours', 'green ok, yellow warning, red critical, magenta unknown, grey gap'],
  ['gap', 'cannot be measured from /proc and /sys (the detail says why)'],
  ['n/a', 'the metric is missing on this host or this frame'],
  ['runq psi psi-f', 'saturation: tasks waiting per CPU; share of time some / all tasks stalled (PSI)'],
  ['queue await', 'saturation: disk queue depth; I/O latency'],
  ['lines', 'last 60 s of a cell; a break in a line is a gap in the frames'],
  ['CRIT/WARN', 'firing finding; lower case: pending (breach seen, not yet sustained)'],
  ['S = D', 'process in uninterruptible sleep (usually waiting on I/O), highlighted'],
];

function pairs(rows: readonly [string, string][]): HTMLElement {
  return h(
    'table',
    { class: 'kv' },
    h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))),
  );
}

/** The help page: the keys (`top`'s, with the page's scrubbing and mouse), then the legend. */
export function renderHelp(root: HTMLElement): void {
  root.replaceChildren(
    h('h2', {}, 'Keys'),
    pairs(KEYS),
    h('h2', {}, 'Legend'),
    pairs(LEGEND),
    h('p', { class: 'dim' }, 'esc or ? closes this page'),
  );
}
