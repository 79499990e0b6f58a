import type { Finding, ProcessEntry, Resource } from '../model/frame.js';
import { type GridRow, SORT_KEYS, type SortKey } from './lists.js';

export type Pane = 'grid' | 'findings' | 'processes';
const PANES: readonly Pane[] = ['grid', 'findings', 'processes'];

export type DetailTarget =
  | { kind: 'resource'; resource: Resource; instance: string }
  | { kind: 'finding'; finding: Finding }
  | { kind: 'process'; process: ProcessEntry };

export interface UiState {
  focus: Pane;
  selected: Record<Pane, number>;
  sort: SortKey;
  perCpu: boolean;
  paused: boolean;
  filter: string;
  /** Typing goes into the filter until enter or esc. */
  filterEditing: boolean;
  help: boolean;
  detail?: DetailTarget;
  /** First line shown of the detail or help page. */
  scroll: number;
  quit: boolean;
}

export const initialState: UiState = {
  focus: 'grid',
  selected: { grid: 0, findings: 0, processes: 0 },
  sort: 'cpu',
  perCpu: false,
  paused: false,
  filter: '',
  filterEditing: false,
  help: false,
  scroll: 0,
  quit: false,
};

/** A key press, independent of the terminal library: named keys, or 'char' with the character. */
export interface Key {
  name:
    | 'up'
    | 'down'
    | 'pageup'
    | 'pagedown'
    | 'tab'
    | 'backtab'
    | 'enter'
    | 'escape'
    | 'backspace'
    | 'interrupt'
    | 'char';
  ch?: string;
}

/** The lists on screen now, so that enter opens what the user sees selected. */
export interface SelectionContext {
  grid: readonly GridRow[];
  findings: readonly Finding[];
  processes: readonly ProcessEntry[];
}

const PAGE = 10;

function clamp(n: number, length: number): number {
  return Math.max(0, Math.min(n, length - 1));
}

function lengthOf(pane: Pane, ctx: SelectionContext): number {
  return pane === 'grid' ? ctx.grid.length : pane === 'findings' ? ctx.findings.length : ctx.processes.length;
}

function move(state: UiState, delta: number, ctx: SelectionContext): UiState {
  if (state.help || state.detail) return { ...state, scroll: Math.max(0, state.scroll + delta) };
  const pane = state.focus;
  const next = clamp(clamp(state.selected[pane], lengthOf(pane, ctx)) + delta, lengthOf(pane, ctx));
  return { ...state, selected: { ...state.selected, [pane]: next } };
}

function openDetail(state: UiState, ctx: SelectionContext): UiState {
  const i = state.selected[state.focus];
  let detail: DetailTarget | undefined;
  if (state.focus === 'grid') {
    const row = ctx.grid[clamp(i, ctx.grid.length)];
    if (row) detail = { kind: 'resource', resource: row.resource, instance: row.instance };
  } else if (state.focus === 'findings') {
    const finding = ctx.findings[clamp(i, ctx.findings.length)];
    if (finding) detail = { kind: 'finding', finding };
  } else {
    const process = ctx.processes[clamp(i, ctx.processes.length)];
    if (process) detail = { kind: 'process', process };
  }
  return detail ? { ...state, detail, scroll: 0 } : state;
}

function editFilter(state: UiState, key: Key): UiState {
  switch (key.name) {
    case 'enter':
      return { ...state, filterEditing: false };
    case 'escape':
      return { ...state, filterEditing: false, filter: '' };
    case 'backspace':
      return { ...state, filter: state.filter.slice(0, -1) };
    case 'interrupt':
      return { ...state, quit: true };
    case 'char':
      return key.ch && state.filter.length < 64
        ? { ...state, filter: state.filter + key.ch, selected: { ...state.selected, processes: 0 } }
        : state;
    default:
      return state;
  }
}

/** The whole keyboard behaviour, as a pure transition. Pausing only flips the flag: the caller freezes the frame. */
export function reduceKey(state: UiState, key: Key, ctx: SelectionContext): UiState {
  if (state.filterEditing) return editFilter(state, key);
  switch (key.name) {
    case 'interrupt':
      return { ...state, quit: true };
    case 'up':
      return move(state, -1, ctx);
    case 'down':
      return move(state, 1, ctx);
    case 'pageup':
      return move(state, -PAGE, ctx);
    case 'pagedown':
      return move(state, PAGE, ctx);
    case 'tab':
    case 'backtab': {
      if (state.help || state.detail) return state;
      const step = key.name === 'tab' ? 1 : PANES.length - 1;
      return { ...state, focus: PANES[(PANES.indexOf(state.focus) + step) % PANES.length] };
    }
    case 'enter':
      return state.help || state.detail ? state : openDetail(state, ctx);
    case 'escape':
      if (state.help) return { ...state, help: false, scroll: 0 };
      if (state.detail) return { ...state, detail: undefined, scroll: 0 };
      return state.filter ? { ...state, filter: '' } : state;
    case 'char':
      return onChar(state, key.ch ?? '');
    default:
      return state;
  }
}

function onChar(state: UiState, ch: string): UiState {
  switch (ch) {
    case 'q':
      return { ...state, quit: true };
    case ' ':
      return { ...state, paused: !state.paused };
    case '?':
      return { ...state, help: !state.help, scroll: 0 };
    case 's':
      return {
        ...state,
        sort: SORT_KEYS[(SORT_KEYS.indexOf(state.sort) + 1) % SORT_KEYS.length],
        selected: { ...state.selected, processes: 0 },
      };
    case 'c':
      return { ...state, perCpu: !state.perCpu };
    case '/':
      return { ...state, filterEditing: true, focus: 'processes', help: false, detail: undefined };
    default:
      return state;
  }
}
