import { describe, expect, it } from 'vitest';
import { initialState, reduceKey, type UiState } from '../../src/tui/state.js';
import { pageLists } from '../../web/model.js';
import { cart, cgroupFrame } from '../tui/frames.js';

const ui = (over: Partial<UiState> = {}): UiState => ({ ...initialState, ...over });
const names = (f = cgroupFrame(0), over: Partial<UiState> = {}) =>
  pageLists({ frame: f, ui: ui(over) }).services.map((r) => r.entry.name);

describe('the page’s services and containers list', () => {
  it('is empty before the first frame', () => {
    expect(pageLists({ frame: undefined, ui: ui() }).services).toEqual([]);
  });

  it('lists the carried cgroups sorted by the chosen measure, as top does', () => {
    const byCpu = names();
    expect(byCpu).toHaveLength(3);
    const byMemory = names(cgroupFrame(0), { cgroupSort: 'memory' });
    expect(byMemory[0]).toBe(cart.name);
    expect(byMemory).not.toEqual(byCpu);
  });

  it('keeps only the names the filter matches, the same filter as the processes', () => {
    expect(names(cgroupFrame(0), { filter: 'cart' })).toEqual([cart.name]);
    expect(pageLists({ frame: cgroupFrame(0), ui: ui({ filter: 'cart' }) }).processes).toEqual([]);
  });

  it('marks the row of a cgroup with an active finding', () => {
    const rows = pageLists({ frame: cgroupFrame(0), ui: ui() }).services;
    expect(rows.filter((r) => r.finding).map((r) => r.finding?.rule)).toEqual(['cgroup.cpu.throttled']);
  });

  it('lets v, s and enter of top’s reducer switch to it, sort it and open a cgroup’s detail', () => {
    const f = cgroupFrame(0);
    let state = ui({ focus: 'processes' });
    state = reduceKey(state, { name: 'char', ch: 'v' }, pageLists({ frame: f, ui: state }));
    expect(state).toMatchObject({ table: 'services', focus: 'services' });
    state = reduceKey(state, { name: 'char', ch: 's' }, pageLists({ frame: f, ui: state }));
    expect(state.cgroupSort).toBe('memory');
    const lists = pageLists({ frame: f, ui: state });
    state = reduceKey(state, { name: 'enter' }, lists);
    expect(state.detail).toEqual({ kind: 'cgroup', cgroup: lists.services[0].entry });
  });
});
