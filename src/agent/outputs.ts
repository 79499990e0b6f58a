import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { OtlpExportSettings } from '../config/otel-env.js';
import type { AgentConfig } from '../config/schema.js';
import type { FeedServer } from '../feed/server.js';
import type { Logger } from '../log/logger.js';
import { droppedLogLines } from '../log/output.js';
import type { OtlpExport } from '../outputs/otlp/exporter.js';
import { createPrometheusExporter, type PrometheusExporter } from '../outputs/prometheus/exporter.js';
import type { AttachedRecorder } from '../outputs/recorder/attach.js';
import { countOpenFds } from '../self/open-fds.js';
import type { ServerStats } from '../server/http.js';
import { VERSION } from '../version.js';
import { RecordingProblems } from './recording-problems.js';
import type { AgentState } from './state.js';

/**
 * The outputs reading the agent's bus besides /healthz. The feed, the recorder and OTLP are off
 * unless configured, and their modules are imported only when they are on: an agent serving
 * /metrics alone does not load ws, the recorder or the OpenTelemetry SDK.
 */
export interface AgentOutputs {
  feed?: FeedServer;
  recorder?: AttachedRecorder;
  /** Recording failures, shown as a finding on the frames while they last. */
  recordingProblems: RecordingProblems;
  otlp?: OtlpExport;
}

export async function startOutputs(config: AgentConfig, state: AgentState, log: Logger): Promise<AgentOutputs> {
  const feed = config.feed.enabled ? await startFeed(config, state, log) : undefined;
  const recordingProblems = new RecordingProblems();
  const recorder = config.record.dir
    ? await startRecorder(config.record.dir, config, state, recordingProblems, log)
    : undefined;
  const otlp = config.otlp_export
    ? await startOtlp({ ...config.otlp_export, cgroups: config.otlp.cgroups }, state)
    : undefined;
  return { feed, recorder, recordingProblems, otlp };
}

/** Closes every output at once: for a start that failed after startOutputs. */
export async function closeOutputs(outputs: AgentOutputs): Promise<void> {
  await Promise.all([outputs.feed?.close(), outputs.recorder?.close(), outputs.otlp?.shutdown()]);
}

/**
 * Flushes and closes the outputs that take frames from the bus after the tick loop has ended, so
 * that nothing is published to them any more.
 */
export async function closeOutputsAfterTicks(outputs: AgentOutputs): Promise<void> {
  await Promise.all([outputs.recorder?.close(), outputs.otlp?.shutdown().catch(() => undefined)]);
}

async function startFeed(config: AgentConfig, state: AgentState, log: Logger): Promise<FeedServer> {
  const { createFeedServer } = await import('../feed/server.js');
  return createFeedServer({
    bus: state.bus,
    hello: () => ({
      host: hostname(),
      agentVersion: VERSION,
      intervalMs: state.current.interval,
      checklist: state.evaluator.ruleIds(),
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

async function startRecorder(
  dir: string,
  config: AgentConfig,
  state: AgentState,
  recordingProblems: RecordingProblems,
  log: Logger,
): Promise<AttachedRecorder> {
  const { attachRecorder } = await import('../outputs/recorder/attach.js');
  const recorder = attachRecorder(state.bus, {
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
  return recorder;
}

async function startOtlp(settings: OtlpExportSettings & { cgroups: boolean }, state: AgentState): Promise<OtlpExport> {
  const { startOtlpExport } = await import('../outputs/otlp/exporter.js');
  return startOtlpExport({
    ...settings,
    latest: () => state.bus.latest(),
    onError: (message) => state.problems.observe([{ source: 'otlp', status: 'failed', reason: message }]),
  });
}

/**
 * /metrics, rendered from the latest frame at scrape time, with the agent's own counters: the feed's
 * clients, the HTTP server's refusals (`serverStats`, undefined until it listens), OTLP and recorder.
 */
export function prometheusExporter(
  config: AgentConfig,
  state: AgentState,
  outputs: AgentOutputs,
  serverStats: () => ServerStats | undefined,
): PrometheusExporter | undefined {
  const { bus } = state;
  const { feed, otlp, recorder } = outputs;
  return config.prometheus.enabled
    ? createPrometheusExporter({
        latest: () => bus.latest(),
        version: VERSION,
        topProcesses: config.prometheus.top_processes,
        cgroups: config.prometheus.cgroups,
        openFds: countOpenFds,
        runtime: {
          feed: feed && (() => ({ clients: feed.clientCount(), droppedFrames: feed.droppedFrames() })),
          http: () => serverStats() ?? { rejectedConnections: 0, clientErrors: 0, unauthorized: 0 },
          otlp: otlp && (() => otlp.stats()),
          recorder: recorder && (() => recorder.stats()),
          logDropped: droppedLogLines,
        },
      })
    : undefined;
}
