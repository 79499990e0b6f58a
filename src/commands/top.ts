import { type Command, InvalidArgumentError, Option } from 'commander';
import { DURATION_HINT, parseDuration } from '../checklist/duration.js';
import type { ViewSource } from '../model/source.js';
import { useSmallFootprint } from '../tui/footprint.js';
import type { RuleBook } from '../tui/view/model.js';
import { collect } from './repeatable.js';
import { parseSpeed, viewRecording } from './replay.js';

interface TopFlags {
  interval: number;
  root: string;
  connect?: string;
  tokenFile?: string;
  checklist: string[];
  replay?: string;
  from?: string;
  to?: string;
  speed?: number;
}

function parseInterval(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 100) throw new InvalidArgumentError(`"${text}" is not ${DURATION_HINT}, at least 100ms`);
  return ms;
}

async function readToken(file: string): Promise<string> {
  const { readTokenFile } = await import('../config/token-file.js');
  const read = await readTokenFile(file);
  if ('problem' in read) throw new Error(`--token-file: ${read.problem}`);
  return read.token;
}

/**
 * The in-process pipeline with the checklist evaluated, and the rules for the detail pages. Loading
 * the checklist and the pipeline happens when the view starts reading frames, so the screen is up
 * (header, "collecting") while they load; a bad checklist ends the view with its error.
 */
function localSource(flags: TopFlags, signal: AbortSignal): { source: ViewSource; rules: RuleBook } {
  const rules: RuleBook = { rules: [] };
  async function* frames() {
    const [{ loadChecklist }, { resolveThresholds }, { UseEvaluator }, { liveFrames }] = await Promise.all([
      import('../checklist/load.js'),
      import('../checklist/model.js'),
      import('../use/evaluator.js'),
      import('../pipeline/live.js'),
    ]);
    const checklist = await loadChecklist(flags.checklist);
    const byId = new Map(checklist.rules.map((r) => [r.id, r]));
    rules.rules = checklist.rules;
    rules.thresholdsFor = (ruleId, instance) => {
      const rule = byId.get(ruleId);
      return rule && resolveThresholds(rule, checklist.overrides, instance);
    };
    yield* liveFrames({
      root: flags.root,
      intervalMs: flags.interval,
      evaluator: new UseEvaluator({ checklist }),
      derive: { linkSpeedsBps: checklist.linkSpeedsBps },
      // The screen shows no OS or CPU model, and systeminformation costs about 11 MB of RSS to import
      // (budget for top: 70 MB), so the static inventory is left to the agent and check.
      inventory: () => undefined,
      signal,
    });
  }
  return { source: { kind: 'local', label: 'local', frames: frames() }, rules };
}

async function remoteSource(flags: TopFlags & { connect: string }, signal: AbortSignal): Promise<ViewSource> {
  const { connectFeed } = await import('../feed/client.js');
  const token = flags.tokenFile ? await readToken(flags.tokenFile) : undefined;
  return connectFeed(flags.connect, { token, signal });
}

/** Options that belong to one source only, named when given with another; the first conflict wins. */
function checkSourceOptions(flags: TopFlags, given: (name: keyof TopFlags) => boolean): void {
  if (flags.replay) {
    const others = (['connect', 'tokenFile', 'root', 'interval'] as const).filter(given);
    if (others.length > 0) {
      const names = others.map((o) => `--${o === 'tokenFile' ? 'token-file' : o}`).join(', ');
      throw new Error(`--replay shows a recording: ${names} cannot go with it (they choose or pace a live source)`);
    }
    return;
  }
  const replayOnly = (['from', 'to', 'speed'] as const).filter(given);
  if (replayOnly.length > 0)
    throw new Error(
      `${replayOnly.map((o) => `--${o}`).join(', ')} ${replayOnly.length === 1 ? 'needs' : 'need'} --replay FILE|DIR`,
    );
  if (flags.connect && (flags.checklist.length > 0 || given('root'))) {
    throw new Error(
      '--checklist and --root apply to the local pipeline, not to --connect (the agent evaluates its own checklist)',
    );
  }
}

async function top(flags: TopFlags, given: (name: keyof TopFlags) => boolean): Promise<void> {
  checkSourceOptions(flags, given);
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new Error('top needs a terminal on stdin and stdout; for a report use `usewatch check`');
  }
  if (flags.replay) {
    await viewRecording('top', flags.replay, flags);
    return;
  }
  // Live views only: a replay decodes and may re-evaluate recordings at many times real time, where
  // optimised code pays for itself.
  useSmallFootprint();
  const abort = new AbortController();
  const { runTop } = await import('../tui/app.js');
  const { source, rules } = flags.connect
    ? { source: await remoteSource({ ...flags, connect: flags.connect }, abort.signal), rules: undefined }
    : localSource(flags, abort.signal);
  try {
    await runTop(source, {
      stdin: process.stdin,
      stdout: process.stdout,
      env: process.env,
      intervalMs: flags.connect ? undefined : flags.interval,
      rules,
    });
  } finally {
    abort.abort();
  }
  // A source that is slow to wind down (a tick mid-read, a socket closing) must not keep a quit TUI alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
}

export function register(program: Command): void {
  program
    .command('top')
    .description('live terminal view: the USE matrix, findings with their culprits, and top processes')
    .addOption(
      new Option('--interval <duration>', 'sampling interval (local pipeline)')
        .default(1000, '1s')
        .argParser(parseInterval),
    )
    .addOption(new Option('--root <dir>', 'root of /proc and /sys (tests)').default('/').hideHelp())
    .option('--connect <url>', "show a remote agent's feed, e.g. ws://HOST:9733/feed")
    .option('--token-file <file>', 'bearer token for --connect, read from this file')
    .option('--replay <path>', 'show a recording (a segment file or a directory of segments), with seeking')
    .option('--from <time>', 'with --replay, start at: ISO time, -2h (before now) or 03:12 (today)')
    .option('--to <time>', 'with --replay, stop at: same forms as --from')
    .addOption(
      new Option('--speed <n>', 'with --replay: 1 = real time (default), 10 = ten times faster').argParser(parseSpeed),
    )
    .option(
      '--checklist <path>',
      'extra checklist file or directory (repeatable; the default set is always loaded; with --replay, re-evaluates the recording)',
      collect,
      [] as string[],
    )
    .action(async (flags: TopFlags, command: Command) => {
      await top(flags, (name) => command.getOptionValueSource(name) === 'cli');
    });
}
