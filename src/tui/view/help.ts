import { compose } from './compose.js';
import type { Canvas } from './model.js';

const KEYS: readonly [string, string][] = [
  ['q, ctrl-c', 'quit'],
  ['space', 'pause / resume (the paused screen stays while frames keep arriving)'],
  ['tab, shift-tab', 'move focus: USE grid, findings, processes'],
  ['up, down, pgup, pgdn', 'select a row; scroll a detail or this page'],
  ['enter', 'detail of the selected resource, finding or process'],
  ['esc', 'back; clears the process filter'],
  ['s', 'sort processes: cpu, memory, io, run delay, fds'],
  ['c', 'per-CPU rows in the USE grid'],
  ['/', 'filter processes by name (enter keeps it, esc clears it)'],
  ['?', 'this help'],
];

const REPLAY_KEYS: readonly [string, string][] = [
  ['space', 'pause / resume the replay (replaces the live freeze above)'],
  ['left, right', 'one minute back / forward'],
  ['pgup, pgdn', 'ten minutes back / forward (in a detail or this page: scroll)'],
  ['home, end', 'start / end of the recording (within --from, --to)'],
  ['g', 'go to a time: 03:12 or 03:12:30 (the day shown), 2026-11-25T03:12, -10m (before the frame shown)'],
  ['+, -', 'replay twice as fast / half as fast'],
];

const LEGEND: readonly [string, string][] = [
  ['U S E', 'utilization, saturation, errors of each resource (the USE method)'],
  ['colours', 'green ok, yellow warning, red critical, magenta unknown, dim gap'],
  ['C W ?', 'without colour (NO_COLOR): critical, warning, unknown after the value'],
  ['gap', 'cannot be measured from /proc and /sys (see the detail for why)'],
  ['n/a', 'the metric is missing on this host or this tick'],
  ['runq psi psi-f', 'saturation: tasks waiting per CPU; share of time some / all tasks stalled (PSI)'],
  ['queue await', 'saturation: disk queue depth (requests in flight); I/O latency'],
  ['swpout scan majflt…', 'saturation: swap-out, direct reclaim scans, major faults, drops… (detail names the metric)'],
  ['sparkline', 'last 60 s of the cell, one column per time slice; blank = no sample'],
  ['CRIT/WARN', 'firing finding; lower case: pending (breach seen, not yet sustained)'],
  ['S = D', 'process in uninterruptible sleep (usually waiting on I/O), highlighted'],
];

/** The help page; `replay` adds the keys that move through a recording. */
export function renderHelp(c: Canvas, height: number, scroll: number, replay: boolean): string[] {
  const lines = [
    compose(
      c.cols,
      [
        { text: c.glyphs.rule },
        { text: ' HELP ', paint: c.theme.selected },
        { text: ' esc or ? to close', flex: true, paint: c.theme.dim },
      ],
      c.glyphs.ellipsis,
    ),
    '',
  ];
  const entry = ([k, v]: readonly [string, string]) =>
    compose(
      c.cols,
      [
        { text: '', width: 3 },
        { text: k, width: 24, paint: c.theme.label },
        { text: v, flex: true },
      ],
      c.glyphs.ellipsis,
    );
  lines.push(...KEYS.map(entry));
  if (replay)
    lines.push(
      '',
      compose(c.cols, [{ text: ' Replay', paint: c.theme.title }], c.glyphs.ellipsis),
      ...REPLAY_KEYS.map(entry),
    );
  lines.push('', compose(c.cols, [{ text: ' Legend', paint: c.theme.title }], c.glyphs.ellipsis), ...LEGEND.map(entry));
  const start = Math.min(scroll, Math.max(0, lines.length - height));
  return lines.slice(start, start + height);
}
