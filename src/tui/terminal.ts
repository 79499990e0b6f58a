import { emitKeypressEvents } from 'node:readline';
import type { Key } from './state.js';

// Alternate screen, hidden cursor, no auto-wrap (a line the width estimate got wrong is cut by the
// terminal instead of scrolling the screen), cleared.
const ENTER = '\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[2J\x1b[H';
const LEAVE = '\x1b[?2026l\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l';

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

export interface TerminalIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

interface KeypressInfo {
  name?: string;
  ctrl?: boolean;
  shift?: boolean;
  sequence?: string;
}

const NAMED: Record<string, Key['name']> = {
  up: 'up',
  down: 'down',
  pageup: 'pageup',
  pagedown: 'pagedown',
  left: 'left',
  right: 'right',
  home: 'home',
  end: 'end',
  tab: 'tab',
  return: 'enter',
  enter: 'enter',
  escape: 'escape',
  backspace: 'backspace',
};

const PRINTABLE = /^[\x20-\x7e]$/;

/** Maps readline's keypress to the view's Key; undefined for keys the view does not use. */
export function toKey(str: string | undefined, info: KeypressInfo | undefined): Key | undefined {
  if (info?.ctrl && (info.name === 'c' || info.name === 'd')) return { name: 'interrupt' };
  if (info?.name === 'tab' && info.shift) return { name: 'backtab' };
  const named = info?.name ? NAMED[info.name] : undefined;
  if (named && !info?.ctrl) return { name: named };
  if (str && PRINTABLE.test(str) && !info?.ctrl) return { name: 'char', ch: str };
  return undefined;
}

/**
 * Owns the terminal while the TUI runs: alternate screen, raw keys, resize. Whatever way the
 * process ends (quit, uncaught error, SIGTERM/SIGINT/SIGHUP, process.exit), the terminal is
 * restored exactly once.
 */
export class TerminalSession {
  private restored = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly io: TerminalIo,
    handlers: { onKey: (key: Key) => void; onResize: () => void },
  ) {
    const { stdin, stdout } = io;
    stdout.write(ENTER);
    emitKeypressEvents(stdin);
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.resume();
    const keypress = (str: string | undefined, info: KeypressInfo | undefined) => {
      const key = toKey(str, info);
      if (key) handlers.onKey(key);
    };
    stdin.on('keypress', keypress);
    stdout.on('resize', handlers.onResize);
    this.cleanups.push(() => stdin.off('keypress', keypress));
    this.cleanups.push(() => stdout.off('resize', handlers.onResize));

    const onExit = () => this.restore();
    process.on('exit', onExit);
    this.cleanups.push(() => process.off('exit', onExit));
    for (const [signal, number] of Object.entries(SIGNALS)) {
      const handler = () => {
        this.restore();
        process.exit(128 + number);
      };
      process.on(signal, handler);
      this.cleanups.push(() => process.off(signal, handler));
    }
    const onFatal = (err: unknown) => {
      this.restore();
      process.stderr.write(`usewatch top: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    };
    process.on('uncaughtException', onFatal);
    process.on('unhandledRejection', onFatal);
    this.cleanups.push(() => process.off('uncaughtException', onFatal));
    this.cleanups.push(() => process.off('unhandledRejection', onFatal));
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.io.stdout.columns ?? 80, rows: this.io.stdout.rows ?? 24 };
  }

  /** Leaves the alternate screen and gives the keyboard back; safe to call more than once. */
  restore(): void {
    if (this.restored) return;
    this.restored = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    const { stdin, stdout } = this.io;
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    stdout.write(LEAVE);
  }
}
