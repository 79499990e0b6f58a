import { type Command, CommanderError, Option } from 'commander';

interface CheckFlags {
  for: string;
  interval: string;
  format: 'text' | 'json' | 'nagios';
  checklist: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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

  const fail = (message: string): number => {
    if (flags.format === 'nagios') console.log(nagiosUnknown(message));
    else console.error(`usewatch check: ${message}`);
    return 3;
  };

  const windowMs = parseDuration(flags.for);
  const intervalMs = parseDuration(flags.interval);
  if (windowMs === undefined) return fail(`--for: bad duration "${flags.for}" (e.g. 10s, 1m)`);
  if (intervalMs === undefined || intervalMs < 100) {
    return fail(`--interval: bad duration "${flags.interval}" (at least 100ms, e.g. 1s)`);
  }
  if (windowMs < intervalMs) return fail(`--for ${flags.for} is shorter than --interval ${flags.interval}`);

  let checklist: Awaited<ReturnType<typeof loadChecklist>>;
  try {
    checklist = await loadChecklist(flags.checklist);
  } catch (err) {
    if (!(err instanceof ChecklistError)) throw err;
    if (flags.format === 'nagios') return fail(`bad checklist: ${err.problems.length} problem(s): ${err.message}`);
    console.error(`usewatch check: bad checklist, ${err.problems.length} problem(s):\n${err.message}`);
    return 3;
  }

  const { UseEvaluator } = await import('../use/evaluator.js');
  const { liveFrames } = await import('../pipeline/live.js');
  const { summarizeRun, EXIT_CODES, runStatus } = await import('../report/run.js');

  const samples = Math.max(1, Math.round(windowMs / intervalMs));
  // A rule's `for` (often a minute) cannot elapse inside a short window: cap it at the span the
  // window covers, so a breach present through the whole window is reported (docs/check.md).
  const evaluator = new UseEvaluator({ checklist, maxForMs: (samples - 1) * intervalMs });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  const frames = [];
  try {
    for await (const frame of liveFrames({
      intervalMs,
      evaluator,
      count: samples + 1,
      signal: abort.signal,
      derive: { linkSpeedsBps: checklist.linkSpeedsBps },
    })) {
      frames.push(frame);
    }
  } catch (err) {
    return fail(`sampling failed: ${(err as Error)?.message ?? err}`);
  } finally {
    process.off('SIGINT', onSignal);
  }
  if (frames.length < 2) return fail('interrupted before two samples: no rates to evaluate');

  const run = summarizeRun(frames, checklist, { windowMs, intervalMs });
  if (flags.format === 'json') {
    const { renderJson } = await import('../report/json.js');
    console.log(JSON.stringify(renderJson(run), null, 2));
  } else if (flags.format === 'nagios') {
    const { renderNagios } = await import('../report/nagios.js');
    console.log(renderNagios(run));
  } else {
    const { renderText, useColor } = await import('../report/text.js');
    process.stdout.write(renderText(run, { color: useColor(process.stdout) }));
  }
  return EXIT_CODES[runStatus(run)];
}
