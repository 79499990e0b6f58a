import type { Frame } from '../model/frame.js';
import type { ConnectionState, ViewSource } from '../model/source.js';
import type { ReplaySource } from '../replay/source.js';
import { FrameHistory } from './history.js';
import { historyValues } from './lists.js';
import { initialState, type Key, type ReplayCommand, reduceKey, reduceReplayKey, type UiState } from './state.js';
import { type TerminalIo, TerminalSession } from './terminal.js';
import { colorEnabled, unicodeEnabled } from './theme.js';
import type { RuleBook, ScreenModel } from './view/model.js';
import { renderScreen, selectionContext } from './view/screen.js';
import { LineDiffWriter } from './writer.js';

export interface TopOptions extends TerminalIo {
  env: NodeJS.ProcessEnv;
  /** Nominal interval of the source, ms (sparkline resolution, header); remote sources: taken from the frames. */
  intervalMs?: number;
  rules?: RuleBook;
  /** Given when the source is a recording: the keys then seek, pause and pace it. */
  replay?: ReplayHandle;
  /**
   * A session another view owns (the fleet's host view): top draws in it and hands it back when it
   * ends, without restoring the terminal; `leavesOn` keys end it as `q` does.
   */
  within?: { session: TerminalSession; leavesOn: (ui: UiState, key: Key) => boolean };
}

/** What the view needs of a recording being replayed (a ReplaySource is one). */
export type ReplayHandle = Pick<ReplaySource, 'control' | 'warnings'>;

/** Seeks are kept within --from/--to, so the start and the end are the extremes of time. */
function seekTarget(command: Extract<ReplayCommand, { kind: 'seekTo' | 'start' | 'end' }>): number {
  if (command.kind === 'seekTo') return command.ts;
  // One past the end lands on the last frame.
  return command.kind === 'start' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
}

/**
 * Holds what the screen shows: the UI state, the latest frame and, while paused, the frozen frame
 * and history. Knows nothing of the terminal; `runTop` wires it to one.
 */
export class TopController {
  ui: UiState = initialState;
  private latest?: Frame;
  private frozen?: { frame?: Frame; history: FrameHistory };
  private missed = 0;
  private connection?: ConnectionState;
  private connectionDetail?: string;
  private notice?: string;
  /** A seek was asked for: the next frame starts a new stretch of time. */
  private seeking = false;
  readonly history = new FrameHistory(historyValues);

  constructor(
    private readonly source: Pick<ViewSource, 'kind' | 'label'>,
    private readonly intervalMs: number | undefined,
    private readonly rules?: RuleBook,
    private readonly replay?: ReplayHandle,
  ) {
    if (replay) this.ui = { ...initialState, paused: replay.control.paused() };
  }

  onFrame(frame: Frame): void {
    // Sparklines must never join two stretches of time: after a seek, or time going backwards.
    if (this.seeking || (this.latest && frame.ts < this.latest.ts)) this.history.clear();
    this.seeking = false;
    this.history.push(frame);
    this.latest = frame;
    if (this.ui.paused && !this.replay) this.missed++;
  }

  onKey(key: Key): void {
    if (this.replay) {
      this.onReplayKey(key, this.replay);
      return;
    }
    const wasPaused = this.ui.paused;
    this.ui = reduceKey(this.ui, key, selectionContext(this.model()));
    if (this.ui.paused && !wasPaused) {
      this.frozen = { frame: this.latest, history: this.history.snapshot() };
      this.missed = 0;
    } else if (!this.ui.paused && wasPaused) {
      this.frozen = undefined;
      this.missed = 0;
    }
  }

  /** A paused replay stops its frames at the source, so nothing is frozen here. */
  private onReplayKey(key: Key, replay: ReplayHandle): void {
    const { control } = replay;
    const { ui, command } = reduceReplayKey(this.ui, key, selectionContext(this.model()), {
      reference: control.position() ?? this.latest?.ts ?? Date.now(),
      speed: control.speed(),
    });
    this.ui = ui;
    if (command) this.run(command, replay);
  }

  private run(command: ReplayCommand, { control }: ReplayHandle): void {
    switch (command.kind) {
      case 'seekBy':
        this.seeking = control.position() !== undefined;
        control.seekBy(command.ms);
        break;
      case 'seekTo':
      case 'start':
      case 'end':
        this.seeking = true;
        control.seekTo(seekTarget(command));
        break;
      case 'pause':
        control.pause();
        break;
      case 'resume':
        control.resume();
        break;
      case 'speed':
        control.setSpeed(command.speed);
        break;
    }
  }

  onConnection(state: ConnectionState, detail?: string): void {
    this.connection = state;
    this.connectionDetail = detail;
  }

  setNotice(notice: string | undefined): void {
    this.notice = notice;
  }

  model(): ScreenModel {
    return {
      ui: this.ui,
      frame: this.frozen ? this.frozen.frame : this.latest,
      history: this.frozen ? this.frozen.history : this.history,
      source: this.source,
      intervalMs: this.intervalMs ?? measuredInterval(this.latest),
      connection: this.connection,
      connectionDetail: this.connectionDetail,
      missed: this.missed,
      rules: this.rules,
      notice: this.notice,
      replay: this.replay && { speed: this.replay.control.speed(), atEnd: this.replay.control.atEnd() },
      warnings: this.replay?.warnings.map((w) => `${w.path}: ${w.message}`),
    };
  }
}

/** A remote source's interval as measured between its frames, to the nearest 100 ms. */
function measuredInterval(frame: Frame | undefined): number {
  if (!frame || frame.intervalMs <= 0) return 1000;
  return Math.max(100, Math.round(frame.intervalMs / 100) * 100);
}

/**
 * Runs the terminal UI over a view source until the user quits. Shows the header and a
 * "collecting" state at once, then each frame as it arrives. Any frame source works: the live
 * pipeline, a remote feed, a recording.
 */
export async function runTop(source: ViewSource, opts: TopOptions): Promise<void> {
  const controller = new TopController(source, opts.intervalMs, opts.rules, opts.replay);
  const screen = {
    color: colorEnabled(opts.env, opts.stdout.isTTY === true),
    unicode: unicodeEnabled(opts.env),
  };
  const writer = new LineDiffWriter(opts.stdout);
  // Each wait gets its own promise for quit to settle. Racing every frame against one long-lived
  // promise would chain a reaction per frame onto it, and keep every frame (with its raw samples,
  // about 130 KB) alive until the user quits.
  let quitRequested = false;
  let wake = () => {};
  const untilQuit = () =>
    new Promise<undefined>((resolve) => {
      wake = () => resolve(undefined);
    });
  const quit = () => {
    quitRequested = true;
    wake();
  };
  let finished = false;
  const redraw = () => {
    // A source's late state change (the feed closing) must not draw over the view that follows.
    if (finished) return;
    const { cols, rows } = session.size;
    writer.draw(renderScreen(controller.model(), { cols, rows, ...screen }));
  };
  const handlers = {
    onKey: (key: Key) => {
      if (opts.within?.leavesOn(controller.ui, key)) {
        quit();
        return;
      }
      controller.onKey(key);
      if (controller.ui.quit) quit();
      else redraw();
    },
    onResize: () => {
      writer.invalidate();
      redraw();
    },
  };
  const session = opts.within?.session ?? new TerminalSession(opts, handlers);
  const handBack = opts.within?.session.handOver(handlers);
  if (opts.within) writer.invalidate();
  opts.replay?.control.onEnd(redraw);
  source.onState?.((state, detail) => {
    controller.onConnection(state, detail);
    redraw();
  });
  redraw();

  const frames = source.frames[Symbol.asyncIterator]();
  try {
    while (!quitRequested) {
      const next = await Promise.race([frames.next(), untilQuit()]);
      if (next === undefined) break;
      if (next.done) {
        controller.setNotice('source ended');
        redraw();
        if (!quitRequested) await untilQuit();
        break;
      }
      controller.onFrame(next.value);
      redraw();
    }
  } finally {
    finished = true;
    if (handBack) session.handOver(handBack);
    else session.restore();
    // The source may be waiting for its next tick or message; ending it must not hold up the exit.
    frames.return?.().catch(() => {});
  }
}
