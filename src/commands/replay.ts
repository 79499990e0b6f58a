import { type Command, InvalidArgumentError, Option } from 'commander';
import type { FrameSource } from '../model/frame.js';
import type { ReplayWarning } from '../replay/lines.js';
import type { ReplayOptions, ReplaySource } from '../replay/source.js';
import { inertJson } from '../text/sanitize.js';
import { collect } from './repeatable.js';

type Format = 'tui' | 'summary' | 'ndjson';

interface ReplayFlags extends RecordingFlags {
  format?: Format;
}

export function parseSpeed(text: string): number {
  const speed = Number(text);
  if (text.trim() === '' || !Number.isFinite(speed) || speed < 0) {
    throw new InvalidArgumentError(
      `"${text}" is not a speed: 1 = real time, 10 = ten times faster, 0 = as fast as possible`,
    );
  }
  return speed;
}

/** What `replay` and `top --replay` share: the window, the pace and the checklist to re-evaluate with. */
export interface RecordingFlags {
  from?: string;
  to?: string;
  speed?: number;
  checklist: string[];
}

/** --from/--to as epoch ms; errors name the option. */
async function timeWindow(flags: RecordingFlags): Promise<{ from?: number; to?: number }> {
  const { parseTimeSpec } = await import('../replay/time.js');
  const time = (name: string, spec: string | undefined) => {
    if (spec === undefined) return undefined;
    try {
      return parseTimeSpec(spec);
    } catch (err) {
      throw new Error(`--${name}: ${(err as Error).message}`);
    }
  };
  const from = time('from', flags.from);
  const to = time('to', flags.to);
  if (from !== undefined && to !== undefined && to < from)
    throw new Error(`--to ${flags.to} is before --from ${flags.from}`);
  return { from, to };
}

/** The frames as recorded, or with the findings recomputed by --checklist when given. */
async function withChecklist(frames: FrameSource, flags: RecordingFlags): Promise<FrameSource> {
  if (flags.checklist.length === 0) return frames;
  const [{ loadChecklist }, { UseEvaluator }, { reevaluate }] = await Promise.all([
    import('../checklist/load.js'),
    import('../use/evaluator.js'),
    import('../replay/reevaluate.js'),
  ]);
  const evaluator = new UseEvaluator({ checklist: await loadChecklist(flags.checklist) });
  return reevaluate(frames, evaluator);
}

/** The recording as a source, with seeking and pace, and its frames (see withChecklist). */
async function openRecording(
  path: string,
  flags: RecordingFlags,
  window: { from?: number; to?: number },
  play: Pick<ReplayOptions, 'speed' | 'atEnd' | 'onWarning'>,
): Promise<{ source: ReplaySource; frames: FrameSource }> {
  const { replaySource } = await import('../replay/source.js');
  const source = await replaySource(path, { ...window, ...play });
  return { source, frames: await withChecklist(source.frames, flags) };
}

/**
 * A recording in the terminal view, with seeking: what `replay` runs on a terminal and
 * `top --replay` runs. Warnings about damaged segments show in the view and are printed on exit.
 */
export async function viewRecording(command: string, path: string, flags: RecordingFlags): Promise<void> {
  const window = await timeWindow(flags);
  const { source, frames } = await openRecording(path, flags, window, { speed: flags.speed ?? 1, atEnd: 'hold' });
  const { runTop } = await import('../tui/app.js');
  try {
    await runTop(
      { ...source, frames },
      { stdin: process.stdin, stdout: process.stdout, env: process.env, replay: source },
    );
  } finally {
    source.control.close();
    for (const w of source.warnings) console.error(`usewatch ${command}: warning: ${w.path}: ${w.message}`);
  }
  // The recording's reads may still be winding down; a quit view must not wait for them.
  setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
}

async function replay(path: string, flags: ReplayFlags): Promise<void> {
  const interactive = process.stdout.isTTY === true && process.stdin.isTTY === true;
  const format: Format = flags.format ?? (interactive ? 'tui' : 'summary');
  if (format === 'tui' && !interactive) throw new Error('--format tui needs a terminal on stdin and stdout');
  if (format === 'tui') return viewRecording('replay', path, flags);

  const window = await timeWindow(flags);
  const speed = flags.speed ?? 0;
  const onWarning = (w: ReplayWarning) => console.error(`usewatch replay: warning: ${w.path}: ${w.message}`);
  // As fast as possible is one streaming pass over the segments; a pace needs the player.
  const frames =
    speed === 0
      ? await withChecklist(
          await (await import('../replay/reader.js')).readRecording(path, { ...window, onWarning }),
          flags,
        )
      : (await openRecording(path, flags, window, { speed, atEnd: 'finish', onWarning })).frames;
  // For people and jq: every list as objects, not as the recording's tables.
  const [{ frameAsObjectsJson }, { summaryLine }] = await Promise.all([
    import('../model/frame.js'),
    import('../replay/summary.js'),
  ]);
  let count = 0;
  // `usewatch replay … | head` closes the pipe: the process exits quietly (src/log/pipes.ts).
  for await (const frame of frames) {
    count++;
    const line = `${format === 'ndjson' ? inertJson(frameAsObjectsJson(frame)) : summaryLine(frame)}\n`;
    if (!process.stdout.write(line)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
  if (count === 0) {
    const range = window.from !== undefined || window.to !== undefined ? ' between --from and --to' : '';
    console.error(`usewatch replay: no frames in ${path}${range}`);
    process.exitCode = 1;
  }
}

export function register(program: Command): void {
  program
    .command('replay')
    .description('show a recording (FILE or DIR of segments) in the terminal view, or print it')
    .argument('<path>', 'a recorded segment file or a directory of segments')
    .option('--from <time>', 'start at: ISO time, -2h (before now) or 03:12 (today)')
    .option('--to <time>', 'stop at: same forms as --from')
    .addOption(
      new Option(
        '--speed <n>',
        '1 = real time, 10 = ten times faster, 0 = as fast as possible (default 1 in the view, 0 when printing)',
      ).argParser(parseSpeed),
    )
    .addOption(
      new Option(
        '--format <format>',
        'tui (default on a terminal), summary (a line per frame, default otherwise) or ndjson',
      ).choices(['tui', 'summary', 'ndjson']),
    )
    .option(
      '--checklist <path>',
      're-evaluate the recorded metrics with this checklist added to the defaults (repeatable)',
      collect,
      [] as string[],
    )
    .action(async (path: string, flags: ReplayFlags) => {
      await replay(path, flags);
    });
}
