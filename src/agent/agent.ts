import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Checklist } from '../checklist/model.js';
import { InputFileError, readInputFile } from '../config/input-file.js';
import { ConfigError } from '../config/load.js';
import { type AgentConfig, parseListen } from '../config/schema.js';
import type { FeedServer } from '../feed/server.js';
import type { Logger } from '../log/logger.js';
import { droppedLogLines } from '../log/output.js';
import { RepeatedProblemLog } from '../log/repeats.js';
import { createPrometheusExporter } from '../outputs/prometheus/exporter.js';
import type { AttachedRecorder } from '../outputs/recorder/attach.js';
import { FrameBus } from '../pipeline/bus.js';
import { liveFrames } from '../pipeline/live.js';
import { type AgentServer, MAX_HTTP_CONNECTIONS, MAX_PIPELINED_REQUESTS, startServer } from '../server/http.js';
import { SystemdNotifier } from '../systemd/notify.js';
import { VERSION } from '../version.js';
import { ReloadableEvaluator } from './evaluator.js';
import { healthReport } from './health.js';
import { RecordingProblems } from './recording-problems.js';

export interface AgentDeps {
  log: Logger;
  /** Root of /proc and /sys (tests use a fixture tree). */
  root?: string;
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

/** Frames kept for the feed's backfill: five minutes, within bounds whatever the interval. */
function ringCapacity(intervalMs: number): number {
  return Math.min(600, Math.max(60, Math.ceil(300_000 / intervalMs)));
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
  const listen = parseListen(config.listen);
  if (typeof listen === 'string') throw new ConfigError([`listen: ${listen}`]);
  const tls = config.tls.cert && config.tls.key ? await readTls(config.tls.cert, config.tls.key) : undefined;
  if (config.record.dir) {
    const { recordingDirectoryProblem } = await import('../outputs/recorder/directory.js');
    const problem = await recordingDirectoryProblem(config.record.dir, { create: true });
    if (problem !== undefined) throw new ConfigError([`record.dir: ${problem}`]);
  }

  let current = config;
  const bus = new FrameBus(ringCapacity(config.interval), (err) => log.error({ err }, 'frame listener failed'));
  const evaluator = new ReloadableEvaluator(checklist);
  const problems = new RepeatedProblemLog(log, { summaryIntervalMs: config.log.repeat_summary });
  const startedMono = performance.now();
  let lastTickMono: number | undefined;

  let feed: FeedServer | undefined;
  if (config.feed.enabled) {
    const { createFeedServer } = await import('../feed/server.js');
    feed = createFeedServer({
      bus,
      hello: () => ({
        host: hostname(),
        agentVersion: VERSION,
        intervalMs: current.interval,
        checklist: evaluator.ruleIds(),
      }),
      auth: {
        token: config.token,
        requireToken: config.token !== undefined,
        allowedOrigins: config.feed.allowed_origins,
      },
      limits: {
        maxClients: config.limits.max_connections,
        maxPerAddress: config.limits.max_connections_per_ip,
      },
      log,
    });
  }

  // Outputs that are off unless configured: their modules are imported only when they are on.
  const recordingProblems = new RecordingProblems();
  let recorder: AttachedRecorder | undefined;
  if (config.record.dir) {
    const { attachRecorder } = await import('../outputs/recorder/attach.js');
    const dir = config.record.dir;
    recorder = attachRecorder(bus, {
      dir,
      maxBytes: config.record.max_bytes,
      retentionMs: config.record.retention,
      tailsInMemory: true,
      onProblem: (p) => {
        log.error({ kind: p.kind, path: p.path, code: p.code }, p.message);
        recordingProblems.problem(p);
      },
      onResume: ({ pausedMs }) => {
        log.info({ dir, pausedMs }, 'recording resumed');
        recordingProblems.resumed();
      },
    });
    const where = resolve(dir);
    log.info(
      { dir: where, maxBytes: config.record.max_bytes, retentionMs: config.record.retention },
      `recording frames to ${where}`,
    );
  }
  let otlp: Awaited<ReturnType<typeof import('../outputs/otlp/exporter.js')['startOtlpExport']>> | undefined;
  if (config.otlp.endpoint) {
    const { startOtlpExport } = await import('../outputs/otlp/exporter.js');
    otlp = await startOtlpExport({
      endpoint: config.otlp.endpoint,
      protocol: config.otlp.protocol,
      headers: config.otlp.headers,
      intervalMs: config.otlp.interval,
      latest: () => bus.latest(),
      onError: (message) => problems.observe([{ source: 'otlp', status: 'failed', reason: message }]),
    });
  }
  const notifier = SystemdNotifier.fromEnvironment({ onError: (message) => log.warn(message) });

  let server: AgentServer | undefined;
  const exporter = config.prometheus.enabled
    ? createPrometheusExporter({
        latest: () => bus.latest(),
        version: VERSION,
        topProcesses: config.prometheus.top_processes,
        runtime: {
          feed: feed && (() => ({ clients: feed.clientCount(), droppedFrames: feed.droppedFrames() })),
          http: () => server?.stats() ?? { rejectedConnections: 0, clientErrors: 0, unauthorized: 0 },
          otlp: otlp && (() => otlp.stats()),
          recorder: recorder && (() => recorder.stats()),
          logDropped: droppedLogLines,
        },
      })
    : undefined;

  try {
    server = await startServer({
      host: listen.host,
      port: listen.port,
      token: config.token,
      insecureNoAuth: config.insecure_no_auth,
      tls,
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
      metrics: exporter?.render,
      health: () =>
        healthReport({
          lastTickMono,
          startedMono,
          intervalMs: current.interval,
          seq: bus.latest()?.seq,
          now: performance.now(),
        }),
      upgradeHandler: feed,
      log,
    });
  } catch (err) {
    await Promise.all([feed?.close(), recorder?.close(), otlp?.shutdown()]);
    throw err;
  }
  const running = server;

  const stopHooks: (() => void | Promise<void>)[] = [];
  const abort = new AbortController();
  const frames = liveFrames({
    root: deps.root,
    intervalMs: config.interval,
    evaluator,
    statfsTimeoutMs: config.collect.statfs_timeout,
    derive: { topN: config.collect.top_n, linkSpeedsBps: checklist.linkSpeedsBps },
    signal: abort.signal,
    onSkip: (n) => log.debug({ skipped: n }, 'tick overran its interval'),
  });

  const done = (async () => {
    try {
      for await (const frame of frames) {
        recordingProblems.decorate(frame);
        bus.publish(frame);
        lastTickMono = performance.now();
        if (frame.seq === 1) void notifier?.ready(`ticking every ${current.interval} ms, serving ${running.url}`);
        notifier?.tickDone();
        problems.observe(frame.sources);
      }
    } catch (err) {
      log.error({ err }, 'tick loop failed; /healthz will report it');
    }
  })();

  log.info(
    {
      url: running.url,
      interval: `${config.interval}ms`,
      auth: config.token ? 'bearer token' : 'none',
      tls: tls !== undefined,
      rules: evaluator.ruleIds().length,
      checklists: checklist.files,
    },
    'usewatch agent listening',
  );

  return {
    server: running,
    bus,
    done,
    onStop: (hook) => {
      stopHooks.push(hook);
    },
    ruleIds: () => evaluator.ruleIds(),
    reload(next, nextChecklist) {
      const needRestart = RESTART_KEYS.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
      evaluator.replace(nextChecklist);
      log.level = next.log.level;
      current = { ...current, log: next.log, checklists: next.checklists };
      return needRestart;
    },
    async stop() {
      const stopping = notifier?.stopping();
      abort.abort();
      problems.summarize();
      const hooks = stopHooks.map(async (hook) => {
        try {
          await hook();
        } catch (err) {
          log.error({ err }, 'stop hook failed');
        }
      });
      await Promise.all([...hooks, running.close(), feed?.close(), done, stopping]);
      // The tick loop has ended: nothing is published any more, so outputs can flush and close.
      await Promise.all([recorder?.close(), otlp?.shutdown().catch(() => undefined)]);
    },
  };
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
