import { StringDecoder } from 'node:string_decoder';
import { ESCAPE_TIMEOUT_MS, KeyDecoder } from './keys.js';
import type { Key } from './state.js';

// Alternate screen, hidden cursor, no auto-wrap (a line the width estimate got wrong is cut by the
// terminal instead of scrolling the screen), cleared.
const ENTER = '\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[2J\x1b[H';
const LEAVE = '\x1b[?2026l\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l';

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

export interface SessionHandlers {
  onKey: (key: Key) => void;
  onResize: () => void;
}

export interface TerminalIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
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
    private handlers: SessionHandlers,
  ) {
    const { stdin, stdout } = io;
    stdout.write(ENTER);
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.resume();
    const text = new StringDecoder('utf8');
    const keys = new KeyDecoder();
    let escapeTimer: NodeJS.Timeout | undefined;
    const deliver = (list: Key[]) => {
      for (const key of list) this.handlers.onKey(key);
    };
    const onData = (chunk: Buffer | string) => {
      clearTimeout(escapeTimer);
      deliver(keys.feed(typeof chunk === 'string' ? chunk : text.write(chunk)));
      if (keys.pending) escapeTimer = setTimeout(() => deliver(keys.flush()), ESCAPE_TIMEOUT_MS);
    };
    stdin.on('data', onData);
    const onResize = () => this.handlers.onResize();
    stdout.on('resize', onResize);
    this.cleanups.push(() => {
      clearTimeout(escapeTimer);
      stdin.off('data', onData);
    });
    this.cleanups.push(() => stdout.off('resize', onResize));

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

  /**
   * Gives the keys and resizes to another view drawn in this session (the fleet's host view), and
   * returns the handlers to give them back to.
   */
  handOver(handlers: SessionHandlers): SessionHandlers {
    const previous = this.handlers;
    this.handlers = handlers;
    return previous;
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
