import type { Key } from './state.js';

/** The fleet screen's UI state. The selection is a host's name, so it stays on that host when a refresh re-sorts. */
export interface FleetUi {
  selected?: string;
  filter: string;
  filterEditing: boolean;
  help: boolean;
  /** First line shown of the help page. */
  scroll: number;
  /** Set by `enter`: the host whose live view to open; the caller opens it and clears this. */
  open?: string;
  quit: boolean;
}

export const initialFleetUi: FleetUi = { filter: '', filterEditing: false, help: false, scroll: 0, quit: false };

const PAGE = 10;
const FILTER_MAX = 64;

/** The host `delta` rows away from the selected one, within the hosts shown (in their order). */
function moveSelection(state: FleetUi, delta: number, hosts: readonly string[]): FleetUi {
  if (state.help) return { ...state, scroll: Math.max(0, state.scroll + delta) };
  if (hosts.length === 0) return state;
  // Nothing selected yet (or the host left the list): the first row is the one marked, so move from it.
  const from = Math.max(0, hosts.indexOf(state.selected ?? ''));
  const next = Math.max(0, Math.min(hosts.length - 1, from + delta));
  return { ...state, selected: hosts[next] };
}

/** Typing at the `/` prompt: the filter narrows the hosts as it is typed. */
function typeFilter(state: FleetUi, key: Key): FleetUi {
  if (key.name === 'interrupt') return { ...state, quit: true };
  if (key.name === 'enter') return { ...state, filterEditing: false };
  if (key.name === 'escape') return { ...state, filterEditing: false, filter: '' };
  if (key.name === 'backspace') return { ...state, filter: state.filter.slice(0, -1) };
  if (key.name !== 'char' || !key.ch || state.filter.length >= FILTER_MAX) return state;
  return { ...state, filter: state.filter + key.ch };
}

/**
 * The fleet's keyboard, as a pure transition over the hosts shown now (sorted and filtered, by
 * name). `enter` only names the host to open: the caller runs its live view and clears `open`.
 */
export function reduceFleetKey(state: FleetUi, key: Key, hosts: readonly string[]): FleetUi {
  if (state.filterEditing) return typeFilter(state, key);
  switch (key.name) {
    case 'interrupt':
      return { ...state, quit: true };
    case 'up':
      return moveSelection(state, -1, hosts);
    case 'down':
      return moveSelection(state, 1, hosts);
    case 'pageup':
      return moveSelection(state, -PAGE, hosts);
    case 'pagedown':
      return moveSelection(state, PAGE, hosts);
    case 'home':
      return state.help ? { ...state, scroll: 0 } : { ...state, selected: hosts[0] };
    case 'end':
      return state.help ? state : { ...state, selected: hosts.at(-1) };
    case 'enter': {
      if (state.help) return state;
      const host = state.selected !== undefined && hosts.includes(state.selected) ? state.selected : hosts[0];
      return host === undefined ? state : { ...state, selected: host, open: host };
    }
    case 'escape':
      if (state.help) return { ...state, help: false, scroll: 0 };
      return { ...state, filter: '' };
    case 'char':
      if (key.ch === 'q') return { ...state, quit: true };
      if (key.ch === '?') return { ...state, help: !state.help, scroll: 0 };
      if (key.ch === '/') return { ...state, filterEditing: true, help: false };
      return state;
    default:
      return state;
  }
}
