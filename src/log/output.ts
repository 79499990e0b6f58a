/** The part of a writable stream a log destination needs. */
export interface LineStream {
  write(chunk: string): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  readonly destroyed?: boolean;
  /** Bytes written but not yet taken by the other end. */
  readonly writableLength?: number;
}

/** Lines waiting for a reader that stopped reading, at most: beyond, lines are dropped until it reads again. */
export const MAX_PENDING_BYTES = 1024 * 1024;

/**
 * Where log lines go when that may be a pipe closed under us (`usewatch agent | head`, journald
 * restarting): a write error closes the output for good, and every line from then on is dropped
 * and counted rather than raising an error that would stop the process. A pipe whose reader stops
 * reading is not waited for either: Node queues what the pipe does not take in memory, so past
 * MAX_PENDING_BYTES lines are dropped and counted until the reader catches up.
 */
export class LineOutput {
  private closed = false;
  private droppedLines = 0;

  constructor(private readonly stream: LineStream) {
    stream.on('error', () => {
      // The line whose write failed is lost too.
      if (!this.closed) this.droppedLines++;
      this.closed = true;
    });
  }

  write(line: string): void {
    if (this.closed || this.stream.destroyed === true) {
      this.closed = true;
      this.droppedLines++;
      return;
    }
    if ((this.stream.writableLength ?? 0) > MAX_PENDING_BYTES) {
      this.droppedLines++;
      return;
    }
    try {
      this.stream.write(line);
    } catch {
      this.closed = true;
      this.droppedLines++;
    }
  }

  /** Lines not written because the stream was closed or failed. */
  dropped(): number {
    return this.droppedLines;
  }
}

let stdout: LineOutput | undefined;

/** The process's stdout as a log destination, made on first use. */
export function stdoutLines(): LineOutput {
  stdout ??= new LineOutput(process.stdout);
  return stdout;
}

/** Log lines stdout could not take: `usewatch_log_dropped_total`. */
export function droppedLogLines(): number {
  return stdout?.dropped() ?? 0;
}
