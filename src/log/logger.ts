import { fstatSync } from 'node:fs';
import { isatty } from 'node:tty';
import pc from 'picocolors';
import pino, { type Logger } from 'pino';
import { inertJson, sanitize } from '../text/sanitize.js';
import { stdoutLines } from './output.js';

export type { Logger } from 'pino';

/**
 * json: one JSON object a line with an ISO time (containers, files, pipes).
 * journal: the same JSON behind a `<N>` syslog priority prefix, without time (journald stamps lines).
 * pretty: short human lines, for a terminal.
 */
export type LogFormat = 'json' | 'journal' | 'pretty';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** syslog priority (journald's `<N>` prefix) for each pino level number. */
export const JOURNAL_PRIORITY: Readonly<Record<number, number>> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };

export function journalPriority(level: number): number {
  return JOURNAL_PRIORITY[level] ?? 6;
}

/**
 * Chooses the format: journald when stdout is the stream systemd named in JOURNAL_STREAM (not just
 * when the variable is inherited by a child writing elsewhere), pretty on a terminal, else JSON.
 */
export function detectLogFormat(env: NodeJS.ProcessEnv = process.env, fd = 1): LogFormat {
  const journal = env.JOURNAL_STREAM;
  if (journal) {
    try {
      const st = fstatSync(fd);
      if (journal === `${st.dev}:${st.ino}`) return 'journal';
    } catch {
      // fd closed: fall through
    }
  }
  return isatty(fd) ? 'pretty' : 'json';
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /**
   * Where finished lines go; stdout by default (synchronous on Linux for files, pipes and ttys),
   * where a closed stream drops and counts lines instead of failing.
   */
  write?: (line: string) => void;
  /** Colour the pretty format; defaults to whether stdout is a colour terminal. */
  color?: boolean;
}

const needsMetadata = pino.symbols.needsMetadataGsym;

/** A pino logger writing through a formatter for the chosen format, without worker-thread transports. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const format = opts.format ?? detectLogFormat();
  const write = opts.write ?? ((line: string) => stdoutLines().write(line));
  const color = opts.color ?? pc.isColorSupported;
  const stream = {
    [needsMetadata]: true as const,
    lastLevel: 30,
    // Messages carry names from the host (process, device and file names, peers' Host headers):
    // each format leaves them inert on a terminal.
    write(line: string) {
      if (format === 'journal') write(`<${journalPriority(this.lastLevel)}>${inertJson(line)}`);
      else if (format === 'pretty') write(prettyLine(line, color));
      else write(inertJson(line));
    },
  };
  return pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      timestamp:
        format === 'journal'
          ? false
          : format === 'pretty'
            ? pino.stdTimeFunctions.epochTime
            : pino.stdTimeFunctions.isoTime,
    },
    stream as unknown as pino.DestinationStream,
  );
}

const HAS_SPACE = /\s/;
const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * One JSON log line as "12:34:56 WARN  message key=value"; errors show their message and stack.
 * Message, keys, values and stack lines are sanitised: a hostile name cannot start a line or reach
 * the terminal as an escape sequence.
 */
export function prettyLine(jsonLine: string, color: boolean): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    const end = jsonLine.endsWith('\n') ? '\n' : '';
    return sanitize(jsonLine.slice(0, jsonLine.length - end.length)) + end;
  }
  const { level, time, msg, err, ...rest } = rec;
  const name = LEVEL_NAMES[level as number] ?? String(level);
  const paint = !color
    ? (s: string) => s
    : (level as number) >= 50
      ? pc.red
      : (level as number) >= 40
        ? pc.yellow
        : pc.dim;
  const clock = typeof time === 'number' ? new Date(time).toTimeString().slice(0, 8) : '';
  let out = `${color ? pc.dim(clock) : clock} ${paint(name.padEnd(5))} ${sanitize(String(msg ?? ''))}`;
  for (const [k, v] of Object.entries(rest))
    out += ` ${sanitize(k)}=${sanitize(typeof v === 'string' && !HAS_SPACE.test(v) ? v : JSON.stringify(v))}`;
  if (err && typeof err === 'object') {
    const e = err as { message?: string; stack?: string };
    const text = String(e.stack ?? e.message ?? JSON.stringify(err));
    for (const line of text.split('\n')) out += `\n  ${sanitize(line)}`;
  }
  return `${out}\n`;
}
