/** Where the screen goes: a TTY in use, a counting fake in tests and the benchmark. */
export interface ScreenStream {
  write(chunk: string): unknown;
}

const SYNC_BEGIN = '\x1b[?2026h';
const SYNC_END = '\x1b[?2026l';
const RESET = '\x1b[0m';

/**
 * Redraws only the lines that changed since the last draw: each is cursor-addressed, cleared and
 * rewritten, inside synchronized-output brackets so the terminal shows the update at once. The
 * line is cleared before it is written: clearing after a full-width line would erase its last
 * column (the cursor waits on it in the pending-wrap state).
 */
export class LineDiffWriter {
  private previous: string[] = [];

  constructor(private readonly out: ScreenStream) {}

  /** Writes the changes and returns the number of characters sent (0 when nothing changed). */
  draw(lines: readonly string[]): number {
    let chunk = '';
    const n = Math.max(lines.length, this.previous.length);
    for (let i = 0; i < n; i++) {
      const line = lines[i] ?? '';
      if (line === (this.previous[i] ?? '')) continue;
      chunk += `\x1b[${i + 1};1H${RESET}\x1b[2K${line}${RESET}`;
    }
    this.previous = lines.slice();
    if (chunk === '') return 0;
    const data = SYNC_BEGIN + chunk + SYNC_END;
    this.out.write(data);
    return data.length;
  }

  /** Forgets what is on screen (after a resize or a clear), so the next draw repaints every line. */
  invalidate(): void {
    this.previous = [];
    this.out.write('\x1b[2J');
  }
}
