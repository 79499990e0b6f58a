import { initialState, reduceKey, type UiState } from '../src/tui/state.js';
import { FeedConnection, type PageConnectionState } from './connection.js';
import { byId, setText } from './dom.js';
import { FrameRing } from './frames.js';
import { type PageKey, pageKey } from './keys.js';
import { type PageModel, pageLists } from './model.js';
import type { FeedEvent } from './resume.js';
import { CellHistory } from './series.js';
import { TokenPrompt, TokenStore } from './token.js';
import { copyCommand } from './view/commands.js';
import { DetailView } from './view/detail.js';
import { renderFindings } from './view/findings.js';
import { GridView } from './view/grid.js';
import { renderHeader } from './view/header.js';
import { renderHelp } from './view/help.js';
import { ProcessTable } from './view/processes.js';
import { renderScrub } from './view/scrub.js';
import { renderServices } from './view/services.js';

const MEASURES_KEPT = 600;

/**
 * The page: the frames held, `top`'s UI state (its key reducer, src/tui/state.ts, reused as is),
 * the feed connection and the sections drawn from them. A section is a function of the model and
 * the lists; a new one is one more entry in `sections`. The header is drawn on
 * every change; the sections when the frame shown or the UI state changed.
 */
export class LiveView {
  private readonly ring = new FrameRing();
  private readonly cells = new CellHistory(this.ring.capacity);
  private ui: UiState = { ...initialState, selected: { ...initialState.selected } };
  private connection: PageConnectionState = 'connecting';
  private connectionDetail: string | undefined;
  private intervalMs = 1000;
  private drawPending = false;
  private draws = 0;
  private gridMarked = false;
  private readonly tokens = new TokenStore();
  private readonly prompt = new TokenPrompt((token) => {
    this.tokens.set(token);
    this.feed.connect();
  });
  private readonly feed = new FeedConnection({
    token: () => this.tokens.get(),
    onEvent: (e) => this.onFeed(e),
    onState: (state, detail) => this.onState(state, detail),
  });
  private readonly grid = new GridView(byId('grid'), this.cells);
  private readonly detail = new DetailView(
    byId('detail'),
    byId('detail-charts'),
    byId('detail-body'),
    byId('detail-title'),
    this.cells,
  );
  private readonly processes = new ProcessTable(byId('processes'));
  private readonly filter = byId<HTMLInputElement>('filter');
  /** What the sections were last drawn from: while paused, new frames change only the header and the scrub bar. */
  private drawnFrame: PageModel['frame'];
  private drawnUi: UiState | undefined;
  private readonly sections: ((m: PageModel, lists: ReturnType<typeof pageLists>) => void)[] = [
    (m, lists) => this.grid.render(m, lists),
    (m, lists) => renderFindings(m, lists, byId('findings')),
    // The table `v` did not choose is hidden: it is drawn when it is shown again.
    (m, lists) => m.ui.table === 'processes' && this.processes.render(m, lists),
    (m, lists) => m.ui.table === 'services' && renderServices(m, lists, byId('services')),
    (m) => this.showTable(m.ui.table),
  ];

  start(): void {
    renderHelp(byId('help'));
    this.listen();
    this.feed.connect();
    this.draw();
  }

  private model(): PageModel {
    return {
      frame: this.ring.shown(),
      ring: this.ring,
      ui: this.ui,
      connection: this.connection,
      connectionDetail: this.connectionDetail,
      intervalMs: this.intervalMs,
      source: location.host,
    };
  }

  private onFeed(e: FeedEvent): void {
    if (e.kind === 'hello') this.intervalMs = e.intervalMs;
    else if (e.kind === 'frame') {
      const id = this.ring.push(e.frame, e.restarted, e.wire);
      if (id !== undefined) this.cells.record(id, e.frame, this.ring.firstId);
    } else if (e.kind === 'notice') this.connectionDetail = e.text;
    this.schedule();
  }

  private onState(state: PageConnectionState, detail: string | undefined): void {
    this.connection = state;
    this.connectionDetail = detail;
    if (state === 'token') this.prompt.show(detail ?? 'the agent asks for a token');
    byId('forget-token').hidden = this.tokens.get() === undefined;
    this.schedule();
  }

  /** One draw per animation frame, however many frames arrive (a backfill brings hundreds at once). */
  private schedule(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  /**
   * Each draw is measured (`usewatch draw` in the browser's performance timeline, the last few
   * hundred kept so that the timeline does not grow for as long as the page is open), and the
   * first with frames is marked `usewatch grid`.
   */
  private draw(): void {
    const start = performance.now();
    this.drawSections();
    if (++this.draws % MEASURES_KEPT === 0) performance.clearMeasures('usewatch draw');
    performance.measure('usewatch draw', { start });
    if (!this.gridMarked && this.ring.size > 0) {
      this.gridMarked = true;
      performance.mark('usewatch grid');
    }
  }

  private drawSections(): void {
    const m = this.model();
    renderHeader(m, byId('header'));
    if (m.frame !== this.drawnFrame || this.ui !== this.drawnUi) {
      this.drawnFrame = m.frame;
      this.drawnUi = this.ui;
      const lists = pageLists(m);
      for (const section of this.sections) section(m, lists);
      this.detail.render(m);
    }
    showIf(byId('help'), this.ui.help);
    setText(byId('notice'), this.connectionDetail ?? '');
    if (this.filter.value !== this.ui.filter) this.filter.value = this.ui.filter;
    renderScrub(m, byId<HTMLInputElement>('scrubber'), byId('gap-marks'), byId('scrub-label'), byId('pause'));
    const title = m.frame ? `usewatch ${m.frame.host.hostname}` : 'usewatch';
    if (document.title !== title) document.title = title;
  }

  /** The bottom table `v` chose is shown, the filter (shared by both, as in `top`) above it. */
  private showTable(table: UiState['table']): void {
    const shown = byId(table);
    showIf(byId('processes'), table === 'processes');
    showIf(byId('services'), table === 'services');
    if (this.filter.parentElement !== shown) shown.querySelector('h2')!.after(this.filter);
  }

  /** A key or a click, as `top`'s reducer takes it, then the pause it implies applied to the frames held. */
  apply(key: PageKey): void {
    if (key.kind === 'key') {
      this.ui = reduceKey(this.ui, key.key, pageLists(this.model()));
      this.ui.quit = false;
      if (this.ui.paused) this.ring.pause();
      else this.ring.resume();
    } else {
      if (key.kind === 'step') this.ring.step(key.delta);
      else if (key.kind === 'first') this.ring.scrubTo(0);
      else this.ring.scrubTo(this.ring.size - 1);
      this.ui = { ...this.ui, paused: true };
    }
    if (this.ui.filterEditing && document.activeElement !== this.filter) this.filter.focus();
    this.draw();
  }

  private listen(): void {
    document.addEventListener('keydown', (e) => {
      if (this.prompt.open || e.target === this.filter) return;
      const key = pageKey(e);
      if (!key) return;
      e.preventDefault();
      this.apply(key);
    });
    this.listenFilter();
    this.listenPointer();
  }

  private listenFilter(): void {
    this.filter.addEventListener('focus', () => {
      if (!this.ui.filterEditing)
        this.ui = { ...this.ui, filterEditing: true, focus: this.ui.table, help: false, detail: undefined };
    });
    this.filter.addEventListener('input', () => {
      const selected = { ...this.ui.selected, [this.ui.table]: 0 };
      this.ui = { ...this.ui, filter: this.filter.value.slice(0, 64), selected };
      this.draw();
    });
    this.filter.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== 'Escape') return;
      e.preventDefault();
      this.filter.blur();
      this.apply({ kind: 'key', key: { name: e.key === 'Enter' ? 'enter' : 'escape' } });
    });
    this.filter.addEventListener('blur', () => {
      if (this.ui.filterEditing) this.ui = { ...this.ui, filterEditing: false };
    });
  }

  private listenPointer(): void {
    document.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const copy = target.closest<HTMLElement>('button.copy');
      if (copy) return void copyCommand(copy);
      const sort = target.closest<HTMLElement>('th[data-sort]');
      if (sort) return this.sortBy('processes', { sort: sort.dataset.sort as UiState['sort'] });
      const cgroupSort = target.closest<HTMLElement>('th[data-cgroup-sort]');
      if (cgroupSort)
        return this.sortBy('services', { cgroupSort: cgroupSort.dataset.cgroupSort as UiState['cgroupSort'] });
      const row = target.closest<HTMLElement>('[data-pane]');
      if (row) this.select(row.dataset.pane as UiState['focus'], Number(row.dataset.index));
    });
    const key = (name: 'escape') => () => this.apply({ kind: 'key', key: { name } });
    const char = (ch: string) => () => this.apply({ kind: 'key', key: { name: 'char', ch } });
    byId('detail-close').addEventListener('click', key('escape'));
    byId('pause').addEventListener('click', char(' '));
    byId('help-button').addEventListener('click', char('?'));
    byId('forget-token').addEventListener('click', () => {
      this.tokens.forget();
      this.feed.close();
      this.prompt.show('token forgotten: type one to connect again');
    });
    byId<HTMLInputElement>('scrubber').addEventListener('input', (e) => {
      this.ring.scrubTo(Number((e.target as HTMLInputElement).value));
      this.ui = { ...this.ui, paused: true };
      this.draw();
    });
  }

  /** A click on a column heading: the table sorted by that column, its first row selected. */
  private sortBy(table: UiState['table'], sort: Pick<UiState, 'sort'> | Pick<UiState, 'cgroupSort'>): void {
    this.ui = { ...this.ui, ...sort, selected: { ...this.ui.selected, [table]: 0 } };
    this.draw();
  }

  /** A click on a row selects it; a click on the selected row opens its detail, as enter does. */
  private select(pane: UiState['focus'], index: number): void {
    const again = this.ui.focus === pane && this.ui.selected[pane] === index;
    this.ui = { ...this.ui, focus: pane, selected: { ...this.ui.selected, [pane]: index } };
    if (again) this.apply({ kind: 'key', key: { name: 'enter' } });
    else this.draw();
  }
}

/** Shows or hides an element, touching it only when that changes. */
function showIf(el: HTMLElement, shown: boolean): void {
  if (el.hidden === shown) el.hidden = !shown;
}
