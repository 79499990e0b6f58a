import type { Finding, Frame, ProcessEntry } from '../src/model/frame.js';
import type { CgroupRow } from '../src/tui/cgroups.js';
import { type GridRow, gridRows, sortedFindings, visibleCgroups, visibleProcesses } from '../src/tui/lists.js';
import type { SelectionContext, UiState } from '../src/tui/state.js';
import type { PageConnectionState } from './connection.js';
import type { FrameRing } from './frames.js';

/** Everything a section of the page draws from: the frame shown, the ring behind it, the keys' state and the connection. */
export interface PageModel {
  frame: Frame | undefined;
  ring: FrameRing;
  ui: UiState;
  connection: PageConnectionState;
  /** Why the connection is in its state, or the latest notice (a gap, an agent restart). */
  connectionDetail?: string;
  intervalMs: number;
  /** Where the page reads from: the agent's host:port. */
  source: string;
}

/** The lists on screen now, as `top` builds them (src/tui/lists.ts), for drawing and for the keys. */
export interface PageLists extends SelectionContext {
  grid: GridRow[];
  findings: Finding[];
  processes: ProcessEntry[];
  services: CgroupRow[];
}

const NONE: PageLists = { grid: [], findings: [], processes: [], services: [] };

export function pageLists(m: Pick<PageModel, 'frame' | 'ui'>): PageLists {
  const f = m.frame;
  if (!f) return NONE;
  return {
    grid: gridRows(f, m.ui.perCpu),
    findings: sortedFindings(f),
    processes: visibleProcesses(f, m.ui.sort, m.ui.filter),
    services: visibleCgroups(f, m.ui.cgroupSort, m.ui.filter),
  };
}
