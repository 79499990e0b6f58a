import type { CgroupEntry } from '../model/cgroup.js';
import type { Finding, ProcessEntry, Resource } from '../model/frame.js';
import { parseTimeSpec } from '../replay/time.js';
import { CGROUP_SORT_KEYS, type CgroupRow, type CgroupSortKey } from './cgroups.js';
import { type GridRow, SORT_KEYS, type SortKey } from './lists.js';

/** The sections that take the focus; `processes` and `services` share the bottom of the screen. */
export type Pane = 'grid' | 'findings' | 'processes' | 'services';
/** What the bottom of the screen lists: the top processes, or the services and containers. */
export type Table = 'processes' | 'services';

export type DetailTarget =
  | { kind: 'resource'; resource: Resource; instance: string }
  | { kind: 'finding'; finding: Finding }
  | { kind: 'process'; process: ProcessEntry }
  | { kind: 'cgroup'; cgroup: CgroupEntry };

export interface UiState {
  focus: Pane;
  selected: Record<Pane, number>;
  /** The table shown at the bottom; `v` switches it. */
  table: Table;
  sort: SortKey;
  cgroupSort: CgroupSortKey;
  perCpu: boolean;
  paused: boolean;
  filter: string;
  /** Typing goes into the filter until enter or esc. */
  filterEditing: boolean;
  help: boolean;
  /** Replays: the time typed after `g`, until enter or esc. */
  timeInput?: string;
  /** Why the last time typed could not be read. */
  timeError?: string;
  detail?: DetailTarget;
  /** First line shown of the detail or help page. */
  scroll: number;
  quit: boolean;
}

export const initialState: UiState = {
  focus: 'grid',
  selected: { grid: 0, findings: 0, processes: 0, services: 0 },
  table: 'processes',
  sort: 'cpu',
  cgroupSort: 'cpu',
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
    | 'left'
    | 'right'
    | 'home'
    | 'end'
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
  services: readonly CgroupRow[];
}

const PAGE = 10;

function clamp(n: number, length: number): number {
  return Math.max(0, Math.min(n, length - 1));
}

function lengthOf(pane: Pane, ctx: SelectionContext): number {
  return ctx[pane].length;
}

/** The panes tab moves through: the grid, the findings and the table shown below them. */
function panesOf(state: UiState): readonly Pane[] {
  return ['grid', 'findings', state.table];
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
  } else if (state.focus === 'processes') {
    const process = ctx.processes[clamp(i, ctx.processes.length)];
    if (process) detail = { kind: 'process', process };
  } else {
    const row = ctx.services[clamp(i, ctx.services.length)];
    if (row) detail = { kind: 'cgroup', cgroup: row.entry };
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
        ? { ...state, filter: state.filter + key.ch, selected: { ...state.selected, [state.table]: 0 } }
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
      const panes = panesOf(state);
      const step = key.name === 'tab' ? 1 : panes.length - 1;
      return { ...state, focus: panes[(panes.indexOf(state.focus) + step) % panes.length] };
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
      return nextSort(state);
    case 'v':
      return switchTable(state);
    case 'c':
      return { ...state, perCpu: !state.perCpu };
    case '/':
      return { ...state, filterEditing: true, focus: state.table, help: false, detail: undefined };
    default:
      return state;
  }
}

function following<T>(list: readonly T[], current: T): T {
  return list[(list.indexOf(current) + 1) % list.length];
}

/** `s` sorts the table shown by its next measure, from the top of the list. */
function nextSort(state: UiState): UiState {
  const selected = { ...state.selected, [state.table]: 0 };
  if (state.table === 'services')
    return { ...state, cgroupSort: following(CGROUP_SORT_KEYS, state.cgroupSort), selected };
  return { ...state, sort: following(SORT_KEYS, state.sort), selected };
}

/** `v` shows the other table; the focus follows when it was on the table being replaced. */
function switchTable(state: UiState): UiState {
  if (state.help || state.detail) return state;
  const table: Table = state.table === 'processes' ? 'services' : 'processes';
  return { ...state, table, focus: state.focus === state.table ? table : state.focus };
}

/** What the replay keys ask of the recording being shown. */
export type ReplayCommand =
  | { kind: 'seekBy'; ms: number }
  | { kind: 'seekTo'; ts: number }
  | { kind: 'start' }
  | { kind: 'end' }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'speed'; speed: number };

/** Where the replay is, for the keys that depend on it. */
export interface ReplayContext {
  /** Epoch ms that typed times are read against: a clock time is on its day, `-10m` is before it. */
  reference: number;
  speed: number;
}

const MINUTE = 60_000;
export const MIN_SPEED = 0.25;
export const MAX_SPEED = 1024;
const TIME_INPUT_MAX = 40;

/** ×2 or ÷2 within [MIN_SPEED, MAX_SPEED]; 0 (as fast as possible) slows down to MAX_SPEED. */
function nextSpeed(speed: number, faster: boolean): number {
  if (speed === 0) return faster ? 0 : MAX_SPEED;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, faster ? speed * 2 : speed / 2));
}

function editTime(
  state: UiState,
  text: string,
  key: Key,
  replay: ReplayContext,
): { ui: UiState; command?: ReplayCommand } {
  switch (key.name) {
    case 'enter': {
      if (text.trim() === '') return { ui: { ...state, timeInput: undefined, timeError: undefined } };
      try {
        const ts = parseTimeSpec(text, replay.reference);
        return { ui: { ...state, timeInput: undefined, timeError: undefined }, command: { kind: 'seekTo', ts } };
      } catch (err) {
        return { ui: { ...state, timeError: (err as Error).message } };
      }
    }
    case 'escape':
      return { ui: { ...state, timeInput: undefined, timeError: undefined } };
    case 'backspace':
      return { ui: { ...state, timeInput: text.slice(0, -1), timeError: undefined } };
    case 'interrupt':
      return { ui: { ...state, quit: true } };
    case 'char':
      return key.ch && text.length < TIME_INPUT_MAX
        ? { ui: { ...state, timeInput: text + key.ch, timeError: undefined } }
        : { ui: state };
    default:
      return { ui: state };
  }
}

/**
 * The keyboard of a replay: seeking, going to a typed time, pausing the playback and its speed,
 * on top of reduceKey. Pure like it; the caller carries out the command on the recording.
 */
export function reduceReplayKey(
  state: UiState,
  key: Key,
  ctx: SelectionContext,
  replay: ReplayContext,
): { ui: UiState; command?: ReplayCommand } {
  if (state.timeInput !== undefined) return editTime(state, state.timeInput, key, replay);
  if (state.filterEditing) return { ui: reduceKey(state, key, ctx) };
  switch (key.name) {
    case 'left':
      return { ui: state, command: { kind: 'seekBy', ms: -MINUTE } };
    case 'right':
      return { ui: state, command: { kind: 'seekBy', ms: MINUTE } };
    case 'pageup':
    case 'pagedown':
      // A detail or the help page is scrolled by these keys, as on a live source.
      if (state.help || state.detail) return { ui: reduceKey(state, key, ctx) };
      return { ui: state, command: { kind: 'seekBy', ms: (key.name === 'pageup' ? -10 : 10) * MINUTE } };
    case 'home':
      return { ui: state, command: { kind: 'start' } };
    case 'end':
      return { ui: state, command: { kind: 'end' } };
    case 'char':
      switch (key.ch) {
        case ' ':
          return { ui: { ...state, paused: !state.paused }, command: { kind: state.paused ? 'resume' : 'pause' } };
        case '+':
        case '-':
          return { ui: state, command: { kind: 'speed', speed: nextSpeed(replay.speed, key.ch === '+') } };
        case 'g':
          return { ui: { ...state, timeInput: '', timeError: undefined } };
      }
      return { ui: reduceKey(state, key, ctx) };
    default:
      return { ui: reduceKey(state, key, ctx) };
  }
}
