import type { EventEmitter } from 'node:events';
import { ChecklistError, loadChecklist } from '../checklist/load.js';
import type { Checklist } from '../checklist/model.js';
import { ConfigError } from '../config/error.js';
import type { ConfigSources } from '../config/load.js';
import { loadConfigApart } from '../config/load-apart.js';
import type { AgentConfig } from '../config/schema.js';
import { createLogger, type Logger, type LogLevel } from '../log/logger.js';
import { type RunningAgent, startAgent } from './agent.js';
import type { V8Profile } from './v8-profile.js';

/** Exit status for a configuration or checklist that cannot be used. */
export const EXIT_CONFIG = 2;
/** How long a stop may take before the process exits anyway. */
export const STOP_DEADLINE_MS = 1800;

export interface RunOptions {
  sources: ConfigSources;
  printConfig?: boolean;
  root?: string;
  /** Where SIGTERM, SIGINT and SIGHUP arrive from (the process; an emitter in tests). */
  signals?: EventEmitter;
  /** Writes --print-config output and fatal problems (stdout/stderr by default). */
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** A logger to use instead of one made from the config (tests). */
  log?: Logger;
  /** V8's settings by host size (the CLI; tests leave V8 alone). */
  v8Profile?: V8Profile;
  /** Called once the agent is up, with it (tests, readiness notification). */
  onReady?: (agent: RunningAgent) => void;
}

/**
 * `usewatch agent`: loads the configuration and checklist, runs until SIGTERM or SIGINT, and
 * reloads on SIGHUP. Returns the exit status.
 */
export async function runAgent(opts: RunOptions): Promise<number> {
  const signals = opts.signals ?? process;
  // SIGHUP's default action ends the process, so it is held from the start; one that comes before
  // the agent is up (a reload right after a start) is carried out once it is.
  let reload: (() => void) | undefined;
  let hupWhileStarting = false;
  const onHup = () => {
    if (reload === undefined) hupWhileStarting = true;
    else reload();
  };
  signals.on('SIGHUP', onHup);
  try {
    return await runUntilStopped(opts, signals, (reloadNow) => {
      reload = reloadNow;
      if (hupWhileStarting) reloadNow();
    });
  } finally {
    signals.off('SIGHUP', onHup);
  }
}

/** The agent's life: load, start, then serve until SIGTERM or SIGINT; `onStarted` gets its reload. */
async function runUntilStopped(
  opts: RunOptions,
  signals: EventEmitter | NodeJS.Process,
  onStarted: (reloadNow: () => void) => void,
): Promise<number> {
  const out = opts.out ?? ((t: string) => process.stdout.write(t));
  const err = opts.err ?? ((t: string) => process.stderr.write(t));

  let loaded: { config: AgentConfig; checklist: Checklist; warnings: string[] };
  try {
    loaded = await loadAll(opts.sources);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ChecklistError) {
      err(`usewatch agent: invalid ${e instanceof ConfigError ? 'configuration' : 'checklist'}:\n${e.message}\n`);
      return EXIT_CONFIG;
    }
    throw e;
  }
  if (opts.printConfig) {
    const { formatConfig } = await import('../config/print.js');
    out(formatConfig(loaded.config));
    return 0;
  }

  const log = opts.log ?? createLogger({ level: loaded.config.log.level as LogLevel });
  for (const w of loaded.warnings) log.warn(w);
  let agent: RunningAgent;
  try {
    agent = await startAgent(loaded.config, loaded.checklist, { log, root: opts.root, v8Profile: opts.v8Profile });
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`usewatch agent: invalid configuration:\n${e.message}\n`);
      return EXIT_CONFIG;
    }
    const code = (e as NodeJS.ErrnoException).code;
    err(`usewatch agent: cannot listen on ${loaded.config.listen}: ${code ?? (e as Error).message}\n`);
    return 1;
  }
  opts.onReady?.(agent);

  let reloading = Promise.resolve();
  onStarted(() => {
    reloading = reloading.then(() => reloadAgent(agent, opts.sources, log));
  });

  return stopOnSignal(agent, signals, log);
}

/**
 * Resolves with the exit status once the first SIGTERM or SIGINT has stopped the agent: 0, or 1 if
 * stopping failed; a stop still running after STOP_DEADLINE_MS is given up on (status 0).
 */
function stopOnSignal(agent: RunningAgent, signals: EventEmitter | NodeJS.Process, log: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    const onStop = (signal: string) => {
      log.info({ signal }, 'stopping');
      const deadline = setTimeout(() => {
        log.warn({ afterMs: STOP_DEADLINE_MS }, 'stop took too long; exiting anyway');
        resolve(0);
      }, STOP_DEADLINE_MS);
      deadline.unref();
      agent.stop().then(
        () => {
          clearTimeout(deadline);
          log.info('stopped');
          resolve(0);
        },
        (e) => {
          clearTimeout(deadline);
          log.error({ err: e }, 'error while stopping');
          resolve(1);
        },
      );
    };
    signals.once('SIGTERM', () => onStop('SIGTERM'));
    signals.once('SIGINT', () => onStop('SIGINT'));
  });
}

async function loadAll(sources: ConfigSources) {
  const { config, warnings } = await loadConfigApart(sources);
  const checklist = await loadChecklist(config.checklists);
  return { config, checklist, warnings };
}

/** SIGHUP: re-read config and checklists; on any problem keep everything running as it was. */
async function reloadAgent(agent: RunningAgent, sources: ConfigSources, log: Logger): Promise<void> {
  let next: Awaited<ReturnType<typeof loadAll>>;
  try {
    next = await loadAll(sources);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ChecklistError) {
      log.error(
        { problems: e.message.split('\n') },
        `reload refused: the new ${e instanceof ConfigError ? 'configuration' : 'checklist'} is invalid; keeping the running one`,
      );
      return;
    }
    log.error({ err: e }, 'reload failed; keeping the running configuration');
    return;
  }
  for (const w of next.warnings) log.warn(w);
  const needRestart = agent.reload(next.config, next.checklist);
  log.info(
    { rules: next.checklist.rules.length, checklists: next.checklist.files },
    'reloaded configuration and checklists',
  );
  if (needRestart.length > 0) {
    log.warn(
      { settings: needRestart },
      'changed settings take effect only after a restart; running with the old values',
    );
  }
}
