import { type Command, CommanderError, Option } from 'commander';
import type { Checklist } from '../checklist/model.js';
import { collect } from './repeatable.js';

interface CheckFlags {
  for: string;
  interval: string;
  format: 'text' | 'json' | 'nagios';
  checklist: string[];
  replay?: string;
  from?: string;
  to?: string;
}

/**
 * `usewatch check`: runs the pipeline for a window, walks the checklist and prints a report. Exit
 * codes follow the Nagios plugin conventions (docs/check.md), so anything that stops the check from
 * running — bad flags included — exits 3 (UNKNOWN), never commander's usual 1.
 */
export function register(program: Command): void {
  program
    .command('check')
    .description('sample for a window, walk the USE checklist and report findings (Nagios exit codes)')
    .option('--for <duration>', 'how long to sample, e.g. 10s, 1m', '10s')
    .option('--interval <duration>', 'time between samples', '1s')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'nagios']).default('text'))
    .option('--checklist <path>', 'extra checklist file or directory, added to the defaults (repeatable)', collect, [])
    .option('--replay <file|dir>', 're-evaluate a recording with the current (or given) checklist instead of sampling')
    .option('--from <time>', 'with --replay: start at this time (ISO, HH:MM, -2h)')
    .option('--to <time>', 'with --replay: stop at this time')
    .exitOverride((err) => {
      throw new CommanderError(err.exitCode === 0 ? 0 : 3, err.code, err.message);
    })
    .action(async (flags: CheckFlags) => {
      process.exitCode = await runCheck(flags);
    });
}

async function runCheck(flags: CheckFlags): Promise<number> {
  const { parseDuration } = await import('../checklist/duration.js');
  const { ChecklistError, loadChecklist } = await import('../checklist/load.js');
  const { nagiosUnknown } = await import('../report/nagios.js');

  const fail = async (message: string, problems: string[] = []): Promise<number> => {
    if (flags.format === 'nagios') console.log(nagiosUnknown(message));
    else if (flags.format === 'json') {
      const { jsonText, jsonUnknown } = await import('../report/json.js');
      console.log(jsonText(jsonUnknown(message, problems)));
      if (problems.length > 0) console.error(`usewatch check: ${message}:\n${problems.join('\n')}`);
    } else console.error(`usewatch check: ${message}${problems.length > 0 ? `:\n${problems.join('\n')}` : ''}`);
    return 3;
  };

  const windowMs = parseDuration(flags.for);
  const intervalMs = parseDuration(flags.interval);
  if (windowMs === undefined) return fail(`--for: bad duration "${flags.for}" (e.g. 10s, 1m)`);
  if (intervalMs === undefined || intervalMs < 100) {
    return fail(`--interval: bad duration "${flags.interval}" (at least 100ms, e.g. 1s)`);
  }
  if (windowMs < intervalMs) return fail(`--for ${flags.for} is shorter than --interval ${flags.interval}`);

  let checklist: Checklist;
  try {
    checklist = await loadChecklist(flags.checklist);
  } catch (err) {
    if (!(err instanceof ChecklistError)) throw err;
    const problems = err.message.split('\n');
    if (flags.format === 'nagios') return fail(`bad checklist: ${err.problems.length} problem(s): ${problems[0]}`);
    return fail(`bad checklist, ${err.problems.length} problem(s)`, problems);
  }

  const { UseEvaluator } = await import('../use/evaluator.js');
  const { RunAccumulator, EXIT_CODES, runStatus } = await import('../report/run.js');
  if (flags.replay !== undefined) {
    const run = await replayRun(flags, checklist, fail);
    if (typeof run === 'number') return run;
    await printRun(flags.format, run);
    return EXIT_CODES[runStatus(run)];
  }
  if (flags.from !== undefined || flags.to !== undefined) return fail('--from and --to go with --replay');
  const { liveFrames } = await import('../pipeline/live.js');

  const samples = Math.max(1, Math.round(windowMs / intervalMs));
  // The agent's evaluator, unchanged: a rule whose `for` outlasts the window is judged on the
  // window's samples when the run is folded (judgeWindow, docs/check.md), the same way as a replay.
  const evaluator = new UseEvaluator({ checklist });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  const acc = new RunAccumulator();
  try {
    for await (const frame of liveFrames({
      intervalMs,
      evaluator,
      count: samples + 1,
      signal: abort.signal,
      derive: { linkSpeedsBps: checklist.linkSpeedsBps },
    })) {
      acc.add(frame);
    }
  } catch (err) {
    return fail(`sampling failed: ${(err as Error)?.message ?? err}`);
  } finally {
    process.off('SIGINT', onSignal);
  }
  if (acc.frames < 2) return fail('interrupted before two samples: no rates to evaluate');
  const run = acc.finish(checklist, { intervalMs });
  await printRun(flags.format, run);
  return EXIT_CODES[runStatus(run)];
}

type CheckRun = import('../report/run.js').CheckRun;

/**
 * `check --replay`: the recorded metrics and processes re-evaluated with this checklist, and folded
 * exactly as a live window is: the same frames give the same report and exit code.
 */
async function replayRun(
  flags: CheckFlags,
  checklist: Checklist,
  fail: (message: string) => Promise<number>,
): Promise<CheckRun | number> {
  const { readRecording } = await import('../replay/reader.js');
  const { reevaluate } = await import('../replay/reevaluate.js');
  const { parseTimeSpec } = await import('../replay/time.js');
  const { UseEvaluator } = await import('../use/evaluator.js');
  const { RunAccumulator } = await import('../report/run.js');
  let from: number | undefined;
  let to: number | undefined;
  try {
    from = flags.from === undefined ? undefined : parseTimeSpec(flags.from);
    to = flags.to === undefined ? undefined : parseTimeSpec(flags.to);
  } catch (err) {
    return fail(`${flags.from !== undefined && from === undefined ? '--from' : '--to'}: ${(err as Error).message}`);
  }
  const acc = new RunAccumulator();
  try {
    const recorded = await readRecording(flags.replay!, {
      from,
      to,
      onWarning: (w) => console.error(`usewatch check: ${w.path}: ${w.message}`),
    });
    for await (const frame of reevaluate(recorded, new UseEvaluator({ checklist }))) acc.add(frame);
  } catch (err) {
    return fail(`cannot replay ${flags.replay}: ${(err as Error)?.message ?? err}`);
  }
  if (acc.frames < 2) return fail(`${flags.replay}: fewer than two recorded frames in the chosen time range`);
  return acc.finish(checklist, { mode: 'replay' });
}

async function printRun(format: CheckFlags['format'], run: CheckRun): Promise<void> {
  if (format === 'json') {
    const { jsonText, renderJson } = await import('../report/json.js');
    console.log(jsonText(renderJson(run)));
  } else if (format === 'nagios') {
    const { renderNagios } = await import('../report/nagios.js');
    console.log(renderNagios(run));
  } else {
    const { renderText, useColor } = await import('../report/text.js');
    process.stdout.write(renderText(run, { color: useColor(process.stdout) }));
  }
}
