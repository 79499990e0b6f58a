import { dirname } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DURATION_HINT, parseDuration } from '../checklist/duration.js';
import type { FrameSource } from '../model/frame.js';
import { collect } from './repeatable.js';

interface RecordFlags {
  out: string;
  for?: number;
  interval: number;
  checklist: string[];
  root: string;
}

function duration(min: number) {
  return (text: string): number => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < min)
      throw new InvalidArgumentError(`"${text}" is not ${DURATION_HINT}, at least ${min}ms`);
    return ms;
  };
}

/** A directory target: an existing directory, or a path written with a trailing slash. */
async function isDirectoryTarget(path: string): Promise<boolean> {
  if (path.endsWith('/')) return true;
  const { stat } = await import('node:fs/promises');
  return stat(path).then(
    (st) => st.isDirectory(),
    () => false,
  );
}

async function record(flags: RecordFlags): Promise<void> {
  const [{ loadChecklist }, { UseEvaluator }, { liveFrames }] = await Promise.all([
    import('../checklist/load.js'),
    import('../use/evaluator.js'),
    import('../pipeline/live.js'),
  ]);
  const checklist = await loadChecklist(flags.checklist);
  const toDir = await isDirectoryTarget(flags.out);
  const { recordingDirectoryProblem } = await import('../outputs/recorder/directory.js');
  const problem = toDir
    ? await recordingDirectoryProblem(flags.out, { create: true })
    : await recordingDirectoryProblem(dirname(flags.out), { create: false });
  if (problem !== undefined) throw new Error(`--out ${flags.out}: ${problem}`);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const frames = liveFrames({
    root: flags.root,
    intervalMs: flags.interval,
    evaluator: new UseEvaluator({ checklist }),
    derive: { linkSpeedsBps: checklist.linkSpeedsBps },
    count: flags.for === undefined ? undefined : Math.max(1, Math.round(flags.for / flags.interval)),
    signal: abort.signal,
  });
  const until = flags.for === undefined ? 'until Ctrl-C' : `for ${flags.for / 1000}s`;
  console.error(`usewatch record: recording to ${flags.out} every ${flags.interval / 1000}s ${until}`);
  try {
    const written = toDir ? await recordToDir(flags.out, frames) : await recordToSingleFile(flags.out, frames);
    console.error(`usewatch record: ${written} frame(s) written to ${flags.out}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function recordToSingleFile(path: string, frames: FrameSource): Promise<number> {
  const { recordToFile } = await import('../outputs/recorder/file.js');
  try {
    return await recordToFile(path, frames, { tailsInMemory: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new Error(`--out ${path}: the file exists; choose another name or remove it`);
    if (code !== undefined) throw new Error(`--out ${path}: cannot write (${(err as Error).message})`);
    throw err;
  }
}

/** Rotated segments under the recorder's default cap and retention; problems are printed, not fatal. */
async function recordToDir(dir: string, frames: FrameSource): Promise<number> {
  const { createRecorder } = await import('../outputs/recorder/recorder.js');
  const recorder = createRecorder({
    dir,
    tailsInMemory: true,
    onProblem: (p) => console.error(`usewatch record: ${p.message}`),
    onResume: () => console.error('usewatch record: recording again'),
  });
  for await (const frame of frames) recorder.write(frame);
  await recorder.close();
  return recorder.stats().framesWritten;
}

export function register(program: Command): void {
  program
    .command('record')
    .description('record frames without the agent: to a FILE (one gzip NDJSON segment) or a DIR (rotated segments)')
    .requiredOption(
      '-o, --out <path>',
      'FILE (e.g. incident.ndjson.gz), or DIR: an existing directory or a path ending in /',
    )
    .addOption(
      new Option('--for <duration>', 'stop after this long, e.g. 10m (default: until Ctrl-C)').argParser(duration(1)),
    )
    .addOption(new Option('--interval <duration>', 'sampling interval').default(1000, '1s').argParser(duration(100)))
    .option(
      '--checklist <path>',
      'extra checklist file or directory, evaluated into the recorded findings (repeatable)',
      collect,
      [] as string[],
    )
    .addOption(new Option('--root <dir>', 'root of /proc and /sys (tests)').default('/').hideHelp())
    .action(async (flags: RecordFlags) => {
      await record(flags);
    });
}
