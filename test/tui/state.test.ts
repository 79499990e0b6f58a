import { describe, expect, it } from 'vitest';
import { TopController } from '../../src/tui/app.js';
import { cellKey, gridRows, sortedFindings, visibleProcesses } from '../../src/tui/lists.js';
import {
  initialState,
  type Key,
  MAX_SPEED,
  MIN_SPEED,
  type ReplayCommand,
  type ReplayContext,
  reduceKey,
  reduceReplayKey,
  type UiState,
} from '../../src/tui/state.js';
import { renderScreen } from '../../src/tui/view/screen.js';
import { frame, plain, T0 } from './frames.js';

const f = frame(1);
const ctx = {
  grid: gridRows(f, false),
  findings: sortedFindings(f),
  processes: visibleProcesses(f, 'cpu', ''),
  services: [],
};
const ch = (c: string): Key => ({ name: 'char', ch: c });

function press(keys: Key[], from: UiState = initialState): UiState {
  return keys.reduce((s, k) => reduceKey(s, k, ctx), from);
}

describe('reduceKey', () => {
  it('cycles the process sort with s and goes back to the top of the list', () => {
    expect(press([ch('s')]).sort).toBe('memory');
    expect(press([ch('s'), ch('s'), ch('s'), ch('s')]).sort).toBe('fds');
    expect(press([ch('s'), ch('s'), ch('s'), ch('s'), ch('s')]).sort).toBe('cpu');
    const selected = press([{ name: 'tab' }, { name: 'tab' }, { name: 'down' }, ch('s')]);
    expect(selected.selected.processes).toBe(0);
  });

  it('pauses and resumes with space', () => {
    expect(press([ch(' ')]).paused).toBe(true);
    expect(press([ch(' '), ch(' ')]).paused).toBe(false);
  });

  it('moves focus with tab and back with shift-tab, and keeps selection within the list', () => {
    expect(press([{ name: 'tab' }]).focus).toBe('findings');
    expect(press([{ name: 'tab' }, { name: 'tab' }, { name: 'tab' }]).focus).toBe('grid');
    expect(press([{ name: 'backtab' }]).focus).toBe('processes');
    const down = press(Array.from({ length: 20 }, () => ({ name: 'down' }) as Key));
    expect(down.selected.grid).toBe(ctx.grid.length - 1);
    expect(press([{ name: 'up' }]).selected.grid).toBe(0);
  });

  it('types a filter after /, keeps it on enter, clears it on esc', () => {
    const typing = press([ch('/'), ch('p'), ch('o'), ch('q')]);
    expect(typing).toMatchObject({ filterEditing: true, filter: 'poq', focus: 'processes', quit: false });
    const kept = press([{ name: 'backspace' }, { name: 'enter' }], typing);
    expect(kept).toMatchObject({ filterEditing: false, filter: 'po' });
    expect(press([{ name: 'escape' }], kept).filter).toBe('');
    expect(press([ch('/'), ch('x'), { name: 'escape' }])).toMatchObject({ filterEditing: false, filter: '' });
  });

  it('toggles help with ? and leaves it with esc', () => {
    expect(press([ch('?')]).help).toBe(true);
    expect(press([ch('?'), ch('?')]).help).toBe(false);
    expect(press([ch('?'), { name: 'escape' }]).help).toBe(false);
  });

  it('opens the detail of what is selected and goes back with esc', () => {
    expect(press([{ name: 'down' }, { name: 'enter' }]).detail).toEqual({
      kind: 'resource',
      resource: 'memory',
      instance: '',
    });
    const finding = press([{ name: 'tab' }, { name: 'enter' }]).detail;
    expect(finding).toMatchObject({ kind: 'finding', finding: { id: 'cpu.saturation.runqueue@' } });
    const proc = press([{ name: 'tab' }, { name: 'tab' }, { name: 'enter' }]).detail;
    expect(proc).toMatchObject({ kind: 'process', process: { pid: 4213 } });
    expect(press([{ name: 'enter' }, { name: 'escape' }]).detail).toBeUndefined();
  });

  it('toggles per-CPU rows with c', () => {
    expect(press([ch('c')]).perCpu).toBe(true);
  });

  it('quits on q and ctrl-c, but q is text while typing a filter', () => {
    expect(press([ch('q')]).quit).toBe(true);
    expect(press([{ name: 'interrupt' }]).quit).toBe(true);
    expect(press([ch('/'), { name: 'interrupt' }]).quit).toBe(true);
  });
});

describe('TopController', () => {
  it('keeps showing the frame it froze on while frames keep arriving', () => {
    const c = new TopController({ kind: 'local', label: 'local' }, 1000);
    c.onFrame(frame(1));
    c.onKey(ch(' '));
    c.onFrame(frame(2, { host: { ...f.host, hostname: 'later' } }));
    c.onFrame(frame(3));
    expect(c.model().frame?.seq).toBe(1);
    const header = renderScreen(c.model(), plain)[1];
    expect(header).toContain('PAUSED (2 new frames)');
    c.onKey(ch(' '));
    expect(c.model().frame?.seq).toBe(3);
    expect(renderScreen(c.model(), plain)[1]).toContain('LIVE');
  });

  it('takes a remote source interval from its frames', () => {
    const c = new TopController({ kind: 'remote', label: 'ws://x/feed' }, undefined);
    c.onFrame(frame(1, { intervalMs: 2013 }));
    expect(c.model().intervalMs).toBe(2000);
  });
});

/** Presses keys on a replay, collecting the commands they give. */
function replayPress(keys: Key[], replay: Partial<ReplayContext> = {}, from: UiState = initialState) {
  const commands: ReplayCommand[] = [];
  let ui = from;
  for (const key of keys) {
    const out = reduceReplayKey(ui, key, ctx, { reference: T0, speed: 1, ...replay });
    ui = out.ui;
    if (out.command) commands.push(out.command);
  }
  return { ui, commands };
}

const typed = (text: string): Key[] => [...text].map(ch);

describe('reduceReplayKey', () => {
  it('seeks a minute with left/right, ten with pgup/pgdn, and to the ends with home/end', () => {
    const { commands } = replayPress([
      { name: 'left' },
      { name: 'right' },
      { name: 'pageup' },
      { name: 'pagedown' },
      { name: 'home' },
      { name: 'end' },
    ]);
    expect(commands).toEqual([
      { kind: 'seekBy', ms: -60_000 },
      { kind: 'seekBy', ms: 60_000 },
      { kind: 'seekBy', ms: -600_000 },
      { kind: 'seekBy', ms: 600_000 },
      { kind: 'start' },
      { kind: 'end' },
    ]);
  });

  it('scrolls an open detail or help with pgdn instead of seeking', () => {
    const detail = replayPress([{ name: 'enter' }, { name: 'pagedown' }]);
    expect(detail.commands).toEqual([]);
    expect(detail.ui.scroll).toBe(10);
    expect(replayPress([ch('?'), { name: 'pagedown' }]).commands).toEqual([]);
  });

  it('pauses and resumes the replay with space', () => {
    const once = replayPress([ch(' ')]);
    expect(once.ui.paused).toBe(true);
    expect(once.commands).toEqual([{ kind: 'pause' }]);
    const twice = replayPress([ch(' ')], {}, once.ui);
    expect(twice.ui.paused).toBe(false);
    expect(twice.commands).toEqual([{ kind: 'resume' }]);
  });

  it('doubles and halves the speed with + and -, within bounds', () => {
    expect(replayPress([ch('+')], { speed: 4 }).commands).toEqual([{ kind: 'speed', speed: 8 }]);
    expect(replayPress([ch('-')], { speed: 4 }).commands).toEqual([{ kind: 'speed', speed: 2 }]);
    expect(replayPress([ch('+')], { speed: MAX_SPEED }).commands).toEqual([{ kind: 'speed', speed: MAX_SPEED }]);
    expect(replayPress([ch('-')], { speed: MIN_SPEED }).commands).toEqual([{ kind: 'speed', speed: MIN_SPEED }]);
    // 0 plays as fast as possible: slowing down starts from the fastest paced speed.
    expect(replayPress([ch('-')], { speed: 0 }).commands).toEqual([{ kind: 'speed', speed: MAX_SPEED }]);
  });

  it('goes to a time typed after g, read on the day of the frame shown', () => {
    const typing = replayPress([ch('g'), ...typed('03:05')]);
    expect(typing.ui.timeInput).toBe('03:05');
    expect(typing.commands).toEqual([]);
    const { ui, commands } = replayPress([{ name: 'enter' }], {}, typing.ui);
    const day = new Date(T0);
    day.setHours(3, 5, 0, 0);
    expect(commands).toEqual([{ kind: 'seekTo', ts: day.getTime() }]);
    expect(ui.timeInput).toBeUndefined();
    const before = replayPress([ch('g'), ...typed('-10m'), { name: 'enter' }]);
    expect(before.commands).toEqual([{ kind: 'seekTo', ts: T0 - 600_000 }]);
  });

  it('names a time it cannot read, keeps the prompt open, and cancels on esc', () => {
    const bad = replayPress([ch('g'), ...typed('25:99'), { name: 'enter' }]);
    expect(bad.commands).toEqual([]);
    expect(bad.ui.timeInput).toBe('25:99');
    expect(bad.ui.timeError).toContain('"25:99"');
    const edited = replayPress([{ name: 'backspace' }], {}, bad.ui);
    expect(edited.ui).toMatchObject({ timeInput: '25:9', timeError: undefined });
    expect(replayPress([{ name: 'escape' }], {}, bad.ui).ui).toMatchObject({
      timeInput: undefined,
      timeError: undefined,
    });
  });

  it('takes q, s and space as text while typing a time, and quits on ctrl-c', () => {
    const typing = replayPress([ch('g'), ch('q'), ch('s'), ch(' ')]);
    expect(typing.ui).toMatchObject({ timeInput: 'qs ', quit: false, sort: 'cpu', paused: false });
    expect(replayPress([{ name: 'interrupt' }], {}, typing.ui).ui.quit).toBe(true);
  });

  it('leaves the other keys to the live behaviour', () => {
    expect(replayPress([ch('s')]).ui.sort).toBe('memory');
    expect(replayPress([ch('q')]).ui.quit).toBe(true);
    const filtering = replayPress([ch('/'), ch('g')]).ui;
    expect(filtering.filter).toBe('g');
    expect(filtering.timeInput).toBeUndefined();
  });
});

describe('TopController on a replay', () => {
  function fakeReplay() {
    const calls: string[] = [];
    let position: number | undefined;
    let speed = 1;
    let paused = false;
    const control = {
      pause: () => {
        paused = true;
      },
      resume: () => {
        paused = false;
      },
      paused: () => paused,
      seekBy: (ms: number) => calls.push(`seekBy ${ms}`),
      seekTo: (ts: number) => calls.push(`seekTo ${ts}`),
      position: () => position,
      speed: () => speed,
      setSpeed: (n: number) => {
        speed = n;
      },
      close: () => {},
      atEnd: () => false,
      onEnd: () => {},
    };
    return {
      calls,
      handle: { control, warnings: [{ path: '/rec/seg-1.ndjson.gz', message: 'damaged at byte 40' }] },
      at: (ts: number) => {
        position = ts;
      },
    };
  }
  const cpuKey = cellKey('cpu', '', 'utilization');

  it('clears the sparkline history on the first frame after a seek, and when time goes back', () => {
    const replay = fakeReplay();
    const c = new TopController({ kind: 'replay', label: '/rec' }, 1000, undefined, replay.handle);
    for (let seq = 1; seq <= 5; seq++) c.onFrame(frame(seq));
    const points = () => {
      const p = c.model().history.points(cpuKey, 0, Number.MAX_SAFE_INTEGER);
      return p.end - p.start;
    };
    expect(points()).toBe(5);
    replay.at(frame(5).ts);
    c.onKey({ name: 'right' });
    expect(replay.calls).toEqual(['seekBy 60000']);
    c.onFrame(frame(65));
    c.onFrame(frame(66));
    expect(points()).toBe(2);
    c.onFrame(frame(3));
    expect(points()).toBe(1);
  });

  it('pauses the source instead of freezing, and shows REPLAY, the date and time, the speed and the warnings', () => {
    const replay = fakeReplay();
    const c = new TopController({ kind: 'replay', label: '/rec' }, 1000, undefined, replay.handle);
    c.onFrame(frame(1));
    c.onKey(ch('+'));
    c.onKey(ch(' '));
    expect(replay.handle.control.paused()).toBe(true);
    c.onFrame(frame(2));
    expect(c.model().frame?.seq).toBe(2);
    const screen = renderScreen(c.model(), plain);
    expect(screen[1]).toMatch(/\/rec {2}2026-11-25 \d\d:00:02 {2}REPLAY ×2 PAUSED/);
    expect(screen.at(-1)).toContain('1 warning: /rec/seg-1.ndjson.gz: damaged at byte 40');
  });

  it('shows the time prompt and the error for a bad time at the bottom', () => {
    const c = new TopController({ kind: 'replay', label: '/rec' }, 1000, undefined, fakeReplay().handle);
    c.onFrame(frame(1));
    for (const key of [ch('g'), ...typed('later'), { name: 'enter' } as Key]) c.onKey(key);
    const screen = renderScreen(c.model(), plain);
    expect(screen).toHaveLength(plain.rows);
    expect(screen.at(-2)).toContain('cannot read time "later"');
    expect(screen.at(-1)).toMatch(/^ go to: later_ +enter go, esc cancel/);
  });
});
