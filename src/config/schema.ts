import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../checklist/duration.js';
import { DEFAULT_CGROUPS_TOP, DEFAULT_LISTEN } from './defaults.js';
import { parseListen } from './listen.js';
import type { OtlpExportSettings } from './otel-env.js';

export { type ListenAddress, parseListen } from './listen.js';

/** Cgroups carried by activity at most: each costs about 350 bytes of every frame (docs/cgroups.md). */
export const MAX_TOP_CGROUPS = 200;

/** Processes exported per ranking when top-N export is on; more would make cardinality unbounded. */
export const MAX_TOP_PROCESSES = 20;

const durationMs = (min: number, max: number) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = typeof v === 'string' ? parseDuration(v.trim()) : undefined;
    if (ms === undefined)
      ctx.addIssue({ code: 'custom', message: `expected a duration: ${DURATION_HINT}; got ${JSON.stringify(v)}` });
    else if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${min} ms and ${max} ms, got ${ms} ms` });
    } else return ms;
    return z.NEVER;
  });

const listen = z.string().superRefine((v, ctx) => {
  const problem = parseListen(v);
  if (typeof problem === 'string') ctx.addIssue({ code: 'custom', message: problem });
});

const int = (min: number, max: number) => z.number().int().min(min).max(max);

const HEADER_PAIR = /^([^=\s]+)=(.*)$/;

/** OTLP headers: a YAML map, or "K=V" strings from repeated --otlp-header flags and USEWATCH_OTLP_HEADERS. */
const headerMap = z.union([z.record(z.string().min(1), z.string()), z.array(z.string())]).transform((v, ctx) => {
  if (!Array.isArray(v)) return v;
  const out: Record<string, string> = {};
  for (const pair of v) {
    const m = HEADER_PAIR.exec(pair);
    if (m) out[m[1]] = m[2];
    else ctx.addIssue({ code: 'custom', message: `expected KEY=VALUE, got "${pair}"` });
  }
  return out;
});

/**
 * The agent's configuration as written in YAML (snake_case keys, the same in every layer).
 * Durations become milliseconds. Unknown keys are errors, so that a typo is never silently ignored.
 */
export const configSchema = z.strictObject({
  listen: listen.default(DEFAULT_LISTEN),
  interval: durationMs(100, 3_600_000).default(1000),
  /** Checklist files or directories; empty means the built-in set. */
  checklists: z.array(z.string().min(1)).default([]),
  token_file: z.string().min(1).optional(),
  insecure_no_auth: z.boolean().default(false),
  tls: z
    .strictObject({ cert: z.string().min(1).optional(), key: z.string().min(1).optional() })
    .prefault({})
    .refine((t) => (t.cert === undefined) === (t.key === undefined), {
      message: 'give both tls.cert and tls.key, or neither',
    }),
  allow_hosts: z.array(z.string().min(1)).default([]),
  limits: z
    .strictObject({
      // Each feed client may have 256 KiB queued: at most 1024 of them bound that to 256 MiB in all.
      max_connections: int(1, 1024).default(256),
      max_connections_per_ip: int(1, 1024).default(32),
      max_header_bytes: int(1024, 65_536).default(8192),
      headers_timeout: durationMs(100, 600_000).default(10_000),
      request_timeout: durationMs(100, 600_000).default(30_000),
      keep_alive_timeout: durationMs(100, 600_000).default(5_000),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      /** How often repeated problems (a denied file, a stuck mount) are summarised. */
      repeat_summary: durationMs(1000, 86_400_000).default(600_000),
    })
    .prefault({}),
  prometheus: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Export the top processes per ranking (pid, name labels); 0 = none. */
      top_processes: int(0, MAX_TOP_PROCESSES).default(0),
      /** Per-cgroup container_* series for the cgroups frames carry (cgroups.top); false = none. */
      cgroups: z.boolean().default(true),
    })
    .prefault({}),
  feed: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Exact origins ("https://dash.example.org") whose pages may open the feed in a browser. */
      allowed_origins: z.array(z.string().url()).default([]),
    })
    .prefault({}),
  otlp: z
    .strictObject({
      /**
       * The collector's base URL (http://collector:4318), as OTEL_EXPORTER_OTLP_ENDPOINT is written:
       * /v1/metrics is appended for HTTP. Without one here or in OTEL_EXPORTER_OTLP_*ENDPOINT, no
       * OpenTelemetry code is loaded. The unset settings below fall back to the OTEL_* variables.
       */
      endpoint: z.string().url().optional(),
      protocol: z.enum(['http/protobuf', 'http/json', 'grpc']).optional(),
      headers: headerMap.default({}),
      interval: durationMs(1000, 3_600_000).optional(),
      /** Per export attempt, retries included. */
      timeout: durationMs(100, 600_000).optional(),
      compression: z.enum(['gzip', 'none']).optional(),
      /** container.* metrics for the cgroups frames carry; false = none. */
      cgroups: z.boolean().default(true),
    })
    .prefault({}),
  record: z
    .strictObject({
      /** Directory for rotated, compressed frame segments; recording is off without one. */
      dir: z.string().min(1).optional(),
      max_bytes: int(1024 * 1024, 1024 ** 4).default(200 * 1024 * 1024),
      retention: durationMs(60_000, 366 * 86_400_000).default(86_400_000),
    })
    .prefault({}),
  collect: z
    .strictObject({
      statfs_timeout: durationMs(10, 60_000).default(1000),
      /** Processes kept per ranking measure in frames; finding evidence keeps the top 3. */
      top_n: int(1, 100).default(5),
    })
    .prefault({}),
  cgroups: z
    .strictObject({
      /**
       * Workload cgroups carried in frames, the feed and recordings by activity; those with an active
       * finding come besides. Every cgroup read is judged by the checklist whatever this is.
       */
      top: int(0, MAX_TOP_CGROUPS).default(DEFAULT_CGROUPS_TOP),
    })
    .prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type FileConfig = z.output<typeof configSchema>;

/** The effective configuration: the validated layers plus the resolved secret. */
export interface AgentConfig extends FileConfig {
  /** The OTLP export resolved from otlp.* and the OTEL_* variables; absent when no endpoint is set. */
  otlp_export?: OtlpExportSettings;
  /** The bearer token, from USEWATCH_TOKEN or the token file; never printed. */
  token?: string;
  /** The config file that was read, if any. */
  config_file?: string;
}
