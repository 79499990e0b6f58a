import { EventEmitter } from 'node:events';

/** A terminal for the TUI's tests: records what is written, sized like a TTY, resizable. */
export class FakeTty extends EventEmitter {
  columns = 120;
  rows = 40;
  isTTY = true;
  output = '';
  write(chunk: string): boolean {
    this.output += chunk;
    this.emit('wrote');
    return true;
  }
  /** Resolves once `text` is written, at or after offset `since` of the output. */
  waitFor(text: string, since = 0): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.output.includes(text, since)) {
          this.off('wrote', check);
          resolve();
        }
      };
      this.on('wrote', check);
      check();
    });
  }
}
