import { describe, expect, it } from 'vitest';
import { TopController } from '../../src/tui/app.js';
import { gridRows, sortedFindings, visibleProcesses } from '../../src/tui/lists.js';
import { initialState, type Key, reduceKey, type UiState } from '../../src/tui/state.js';
import { renderScreen } from '../../src/tui/view/screen.js';
import { frame, plain } from './frames.js';

const f = frame(1);
const ctx = { grid: gridRows(f, false), findings: sortedFindings(f), processes: visibleProcesses(f, 'cpu', '') };
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
