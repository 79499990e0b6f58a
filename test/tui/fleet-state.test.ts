import { describe, expect, it } from 'vitest';
import { type FleetUi, initialFleetUi, reduceFleetKey } from '../../src/tui/fleet-state.js';
import type { Key } from '../../src/tui/state.js';

const HOSTS = ['a', 'b', 'c'];
const key = (name: Key['name'], ch?: string): Key => ({ name, ch });
const press = (state: FleetUi, ...keys: Key[]) => keys.reduce((s, k) => reduceFleetKey(s, k, HOSTS), state);

describe('reduceFleetKey', () => {
  it('selects hosts by name within the list shown, and enter names the host to open', () => {
    const s = press(initialFleetUi, key('down'), key('down'), key('down'));
    expect(s.selected).toBe('c');
    expect(press(s, key('down'), key('down')).selected).toBe('c');
    expect(press(s, key('pageup')).selected).toBe('a');
    expect(press(s, key('enter'))).toMatchObject({ selected: 'c', open: 'c' });
    // The selection stays on the host when a refresh moves it.
    expect(reduceFleetKey(s, key('up'), ['c', 'x', 'b']).selected).toBe('c');
  });

  it('opens the first host when none is selected, and nothing when no host is shown', () => {
    expect(press(initialFleetUi, key('enter')).open).toBe('a');
    expect(reduceFleetKey(initialFleetUi, key('enter'), []).open).toBeUndefined();
  });

  it('filters as typed after /, enter keeps it, esc clears it', () => {
    const typing = press(initialFleetUi, key('char', '/'), key('char', 'd'), key('char', 'b'), key('backspace'));
    expect(typing).toMatchObject({ filterEditing: true, filter: 'd' });
    // q while typing is a letter of the filter, not quit.
    const kept = press(typing, key('char', 'q'), key('enter'));
    expect(kept).toMatchObject({ filterEditing: false, filter: 'dq', quit: false });
    expect(press(kept, key('escape')).filter).toBe('');
    expect(press(typing, key('escape'))).toMatchObject({ filterEditing: false, filter: '' });
  });

  it('toggles help, scrolls it, closes it with esc; q and ctrl-c quit', () => {
    const help = press(initialFleetUi, key('char', '?'), key('down'));
    expect(help).toMatchObject({ help: true, scroll: 1 });
    expect(press(help, key('enter')).open).toBeUndefined();
    expect(press(help, key('escape')).help).toBe(false);
    expect(press(initialFleetUi, key('char', 'q')).quit).toBe(true);
    expect(press(initialFleetUi, key('char', '/'), key('interrupt')).quit).toBe(true);
  });
});
