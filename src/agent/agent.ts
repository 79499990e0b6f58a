import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Checklist } from '../checklist/model.js';
import { ConfigError } from '../config/error.js';
import { InputFileError, readInputFile } from '../config/input-file.js';
import { parseListen } from '../config/listen.js';
import type { AgentConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Frame } from '../model/frame.js';
import type { FrameBus } from '../pipeline/bus.js';
import { liveFrames } from '../pipeline/live.js';
import { MAX_HTTP_CONNECTIONS, MAX_PIPELINED_REQUESTS } from '../server/connections.js';
import { type AgentServer, startServer } from '../server/http.js';
import { SystemdNotifier } from '../systemd/notify.js';
import { WebPage } from '../web/page.js';
import { healthReport } from './health.js';
import {
  type AgentOutputs,
  closeOutputs,
  closeOutputsAfterTicks,
  prometheusExporter,
  startOutputs,
} from './outputs.js';
import { type AgentState, agentState } from './state.js';
import type { V8Profile } from './v8-profile.js';

export interface AgentDeps {
  log: Logger;
  /** Root of /proc and /sys (tests use a fixture tree). */
  root?: string;
  /** V8's settings by host size, switched when the host outgrows the threshold (the CLI's agent only). */
  v8Profile?: V8Profile;
}

export interface RunningAgent {
  readonly server: AgentServer;
  readonly bus: FrameBus;
  /** Resolves when the tick loop has ended (after stop(), or if it failed). */
  readonly done: Promise<void>;
  /**
   * Registers work to finish on stop (flush a recorder, close an exporter, tell systemd STOPPING=1);
   * hooks run when stop() starts, alongside the server close, and stop() waits for them.
   */
  onStop(hook: () => void | Promise<void>): void;
  /** Rule ids of the checklist in use. */
  ruleIds(): string[];
  /** Applies what can change without a restart: the checklist, the log level. */
  reload(config: AgentConfig, checklist: Checklist): string[];
  stop(): Promise<void>;
}

/** Settings read once at start; a SIGHUP that changes them is logged as needing a restart. */
const RESTART_KEYS = [
  'listen',
  'interval',
  'token',
  'tls',
  'allow_hosts',
  'limits',
  'insecure_no_auth',
  'collect',
  'cgroups',
  'feed',
  'prometheus',
  'otlp',
  'record',
] as const;

/**
 * The agent: the tick loop publishing frames on a bus, and one HTTP server for /metrics, /healthz
 * and the /feed upgrade, all reading from that bus.
 */
export async function startAgent(config: AgentConfig, checklist: Checklist, deps: AgentDeps): Promise<RunningAgent> {
  const { log } = deps;
  const { listen, tls } = await checkStartSettings(config);
  const state = agentState(config, checklist, log);
  const outputs = await startOutputs(config, state, log);
  const notifier = SystemdNotifier.fromEnvironment({ onError: (message) => log.warn(message) });
  const server = await serveHttp(config, { ...listen, tls }, state, outputs, log);

  const abort = new AbortController();
  const frames = liveFrames({
    root: deps.root,
    intervalMs: config.interval,
    evaluator: state.evaluator,
    statfsTimeoutMs: config.collect.statfs_timeout,
    derive: { topN: config.collect.top_n, linkSpeedsBps: checklist.linkSpeedsBps },
    cgroupsTop: config.cgroups.top,
    signal: abort.signal,
    onSkip: (n) => log.debug({ skipped: n }, 'tick overran its interval'),
  });
  const done = publishFrames(frames, state, { outputs, notifier, url: server.url, log, v8Profile: deps.v8Profile });

  log.info(
    {
      url: server.url,
      interval: `${config.interval}ms`,
      auth: config.token ? 'bearer token' : 'none',
      tls: tls !== undefined,
      rules: state.evaluator.ruleIds().length,
      checklists: checklist.files,
    },
    'usewatch agent listening',
  );
  return runningAgent({ state, outputs, server, notifier, abort, done, log });
}

/** The settings only usable once the agent starts: the listen address, the TLS files, the recording directory. */
async function checkStartSettings(config: AgentConfig) {
  const listen = parseListen(config.listen);
  if (typeof listen === 'string') throw new ConfigError([`listen: ${listen}`]);
  const tls = config.tls.cert && config.tls.key ? await readTls(config.tls.cert, config.tls.key) : undefined;
  if (config.record.dir) {
    const { recordingDirectoryProblem } = await import('../outputs/recorder/directory.js');
    const problem = await recordingDirectoryProblem(config.record.dir, { create: true });
    if (problem !== undefined) throw new ConfigError([`record.dir: ${problem}`]);
  }
  return { listen, tls };
}

async function readTls(certFile: string, keyFile: string): Promise<{ cert: Buffer; key: Buffer }> {
  const read = async (file: string, what: string) => {
    try {
      return (await readInputFile(file)).bytes;
    } catch (err) {
      if (!(err instanceof InputFileError)) throw err;
      throw new ConfigError([`tls.${what}: cannot read ${file}: ${err.reason}`]);
    }
  };
  return { cert: await read(certFile, 'cert'), key: await read(keyFile, 'key') };
}

/**
 * The one HTTP server: /metrics from the exporter, /healthz from the tick times, /feed handed to the
 * feed and, with the feed, the web page that reads it. If it cannot listen, the outputs already
 * started are closed before the error goes up.
 */
async function serveHttp(
  config: AgentConfig,
  at: { host: string; port: number; tls: { cert: Buffer; key: Buffer } | undefined },
  state: AgentState,
  outputs: AgentOutputs,
  log: Logger,
): Promise<AgentServer> {
  let server: AgentServer | undefined;
  const exporter = prometheusExporter(config, state, outputs, () => server?.stats());
  if (exporter) state.bus.subscribe(() => exporter.framePublished());
  try {
    server = await startServer({
      host: at.host,
      port: at.port,
      token: config.token,
      insecureNoAuth: config.insecure_no_auth,
      tls: at.tls,
      allowHosts: config.allow_hosts,
      machineName: hostname(),
      limits: {
        maxHttpConnections: MAX_HTTP_CONNECTIONS,
        maxPipelinedRequests: MAX_PIPELINED_REQUESTS,
        maxHeaderBytes: config.limits.max_header_bytes,
        headersTimeoutMs: config.limits.headers_timeout,
        requestTimeoutMs: config.limits.request_timeout,
        keepAliveTimeoutMs: config.limits.keep_alive_timeout,
      },
      metrics: exporter && ((encoding) => exporter.render(encoding)),
      health: () =>
        healthReport({
          lastTickMono: state.lastTickMono,
          startedMono: state.startedMono,
          intervalMs: state.current.interval,
          seq: state.bus.latest()?.seq,
          now: performance.now(),
        }),
      upgradeHandler: outputs.feed,
      page: outputs.feed && WebPage.load(),
      log,
    });
  } catch (err) {
    await closeOutputs(outputs);
    throw err;
  }
  return server;
}

/**
 * The tick loop: each frame is published on the bus for every output, then /healthz, systemd and
 * the source-problem log hear of it. A failure ends the loop (and /healthz then reports a stall)
 * rather than the process.
 */
async function publishFrames(
  frames: AsyncIterable<Frame>,
  state: AgentState,
  to: {
    outputs: AgentOutputs;
    notifier: SystemdNotifier | undefined;
    url: string;
    log: Logger;
    v8Profile: V8Profile | undefined;
  },
): Promise<void> {
  const { outputs, notifier, v8Profile } = to;
  try {
    for await (const frame of frames) {
      outputs.recordingProblems.decorate(frame);
      state.bus.publish(frame);
      state.lastTickMono = performance.now();
      if (frame.seq === 1) void notifier?.ready(`ticking every ${state.current.interval} ms, serving ${to.url}`);
      notifier?.tickDone();
      state.problems.observe(frame.sources);
      const processes = v8Profile?.observe(frame.metrics);
      if (processes !== undefined)
        to.log.info(
          { processes },
          "more processes than the agent's threshold: V8's settings for a big host (optimising compiler on)",
        );
    }
  } catch (err) {
    to.log.error({ err }, 'tick loop failed; /healthz will report it');
  }
}

/** What a started agent is made of, for reload and stop. */
interface AgentParts {
  state: AgentState;
  outputs: AgentOutputs;
  server: AgentServer;
  notifier: SystemdNotifier | undefined;
  abort: AbortController;
  done: Promise<void>;
  log: Logger;
}

function runningAgent(parts: AgentParts): RunningAgent {
  const { state, server, done, log } = parts;
  const stopHooks: (() => void | Promise<void>)[] = [];
  return {
    server,
    bus: state.bus,
    done,
    onStop: (hook) => {
      stopHooks.push(hook);
    },
    ruleIds: () => state.evaluator.ruleIds(),
    reload(next, nextChecklist) {
      const needRestart = RESTART_KEYS.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(state.current[k]));
      state.evaluator.replace(nextChecklist);
      log.level = next.log.level;
      state.current = { ...state.current, log: next.log, checklists: next.checklists };
      return needRestart;
    },
    stop: () => stopAgent(parts, stopHooks),
  };
}

/**
 * Stops ticking, then closes the server, the feed and the stop hooks together, waiting for the tick
 * loop to end; the outputs fed by the bus flush last, once nothing is published any more.
 */
async function stopAgent(parts: AgentParts, stopHooks: readonly (() => void | Promise<void>)[]): Promise<void> {
  const { outputs, log } = parts;
  const stopping = parts.notifier?.stopping();
  parts.abort.abort();
  parts.state.problems.summarize();
  const hooks = stopHooks.map(async (hook) => {
    try {
      await hook();
    } catch (err) {
      log.error({ err }, 'stop hook failed');
    }
  });
  await Promise.all([...hooks, parts.server.close(), outputs.feed?.close(), parts.done, stopping]);
  await closeOutputsAfterTicks(outputs);
}
