import { compose } from './compose.js';
import type { Canvas } from './model.js';

const KEYS: readonly [string, string][] = [
  ['q, ctrl-c', 'quit'],
  ['space', 'pause / resume (the paused screen stays while frames keep arriving)'],
  ['tab, shift-tab', 'move focus: USE grid, findings, processes (or services)'],
  ['up, down, pgup, pgdn', 'select a row; scroll a detail or this page'],
  ['enter', 'detail of the selected resource, finding, process, service or container'],
  ['esc', 'back; clears the filter'],
  ['v', 'show services and containers instead of processes, and back'],
  ['s', 'sort processes: cpu, memory, io, run delay, fds'],
  ['s (services shown)', 'sort services and containers: cpu, memory, io, pressure, throttling'],
  ['c', 'per-CPU rows in the USE grid'],
  ['/', 'filter the table shown by name (enter keeps it, esc clears it)'],
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
  [
    'thrtl thrtl-t high max',
    'a cgroup row: periods throttled by its CPU quota, time held back; memory.high, memory.max events',
  ],
  ['sparkline', 'last 60 s of the cell, one column per time slice; blank = no sample'],
  ['CRIT/WARN', 'firing finding; lower case: pending (breach seen, not yet sustained)'],
  ['S = D', 'process in uninterruptible sleep (usually waiting on I/O), highlighted'],
  ['UNIT', "the process's systemd unit or container (the cgroup's last path segment when not carried)"],
  ['CPU CPU%', 'services: CPUs used; share of its CPU quota, of the host without one'],
  ['THR%', 'services: share of CPU periods throttled by its quota'],
  ['MEM MEM%', 'services: working set (memory less inactive file cache); share of its memory limit'],
  ['RD/s WR/s IO/s', 'services: bytes read, written, both per second'],
  ['P-CPU P-MEM P-IO PSI', 'services: pressure, share of time its tasks stalled on CPU, memory, I/O (PSI: the worst)'],
  ['PIDS', 'services: tasks, and pids.max when it has one'],
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
