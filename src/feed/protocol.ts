import { z } from 'zod';
import { DIMENSIONS, FRAME_SCHEMA, type Frame, RESOURCES } from '../model/frame.js';
import {
  CGROUP_DETAIL_COLUMNS,
  CGROUP_NAME_COLUMNS,
  foldCgroupMetrics,
  fromTable,
  PROCESS_COLUMNS,
  parseWireJson,
  type Table,
  toTable,
  USE_COLUMNS,
} from '../model/wire.js';

import { FEED_PROTOCOL, FRAME_SECTIONS, type FrameSection } from './protocol-base.js';

export { type ClientMessage, parseClientMessage } from './client-messages.js';
/**
 * The feed's wire protocol: message shapes, the zod schemas of both directions (server messages are
 * validated with them in the client) and the JSON Schema generated from them for docs/feed.md. The
 * agent reads client messages without zod (client-messages.ts); a test holds that reader to the
 * client schemas here.
 */
export { CLOSE, FEED_PROTOCOL, FRAME_SECTIONS, type FrameSection } from './protocol-base.js';

// ---- client → server ------------------------------------------------------------------------

const sectionSchema = z.enum(FRAME_SECTIONS as [FrameSection, ...FrameSection[]]);

export const subscribeMessageSchema = z
  .object({
    type: z.literal('subscribe'),
    sections: z.array(sectionSchema).min(1).max(FRAME_SECTIONS.length),
  })
  .strict()
  .describe('Narrow the frames sent to this client to these sections (seq, ts, schema and intervalMs always come).');

export const pingMessageSchema = z
  .object({
    type: z.literal('ping'),
    /** Echoed in the pong, so a client can match them. */
    id: z.union([z.string().max(64), z.number()]).optional(),
  })
  .strict()
  .describe('Application-level ping; the server answers with a pong.');

export const clientMessageSchema = z.discriminatedUnion('type', [subscribeMessageSchema, pingMessageSchema]);

/** Up to three issues, each with its path, as client-messages.ts words them too. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
    .join('; ');
}

// ---- server → client: frame -----------------------------------------------------------------

const resourceSchema = z.enum(RESOURCES as [string, ...string[]]);
const dimensionSchema = z.enum(DIMENSIONS as [string, ...string[]]);
const severitySchema = z.enum(['warning', 'critical']);

const tableSchema = z
  .object({
    cols: z.array(z.string()).describe('Field names, in the order of the values in each row'),
    // Rows are checked by fromTable and their items by the list's schema, so errors name the row.
    rows: z
      .array(z.unknown())
      .describe('One array of values per item; null where the item has no value; trailing nulls left out'),
  })
  .describe('A list of two or more like objects with the keys sent once (see src/model/wire.ts)');

/** A list sent either as objects or as a table (what the agent sends from two items on), decoded to objects. */
function listOf<T extends z.ZodType<Record<string, unknown>>>(item: T, cols: readonly string[]) {
  const list = z.array(item);
  return z.codec(z.union([list, tableSchema]), list, {
    decode: (value, ctx) => {
      if (Array.isArray(value)) return value as z.input<typeof list>;
      const decoded = fromTable(value as Table);
      if (decoded.ok) return decoded.items as z.input<typeof list>;
      ctx.issues.push({ code: 'custom', message: decoded.error, input: value });
      return z.NEVER;
    },
    encode: (items) => toTable(items as Record<string, unknown>[], cols),
  });
}

const processSchema = z.looseObject({
  pid: z.number().int(),
  name: z.string(),
  cmd: z.string(),
  user: z.string(),
  state: z.string(),
  cpu: z.number(),
  rssBytes: z.number(),
  rssGrowthBps: z.number().optional(),
  readBps: z.number().optional(),
  writeBps: z.number().optional(),
  runDelay: z.number().optional(),
  majorFaultsPs: z.number().optional(),
  fds: z.number().optional(),
  fdLimit: z.number().optional(),
  threads: z.number(),
  cgroup: z.string().optional(),
});

const frameSectionSchemas = {
  host: z.looseObject({
    hostname: z.string(),
    kernel: z.string(),
    os: z.string().optional(),
    cpuModel: z.string().optional(),
    cpus: z.number(),
    uptimeSeconds: z.number().optional(),
    agentVersion: z.string(),
  }),
  metrics: z
    .record(z.string(), z.record(z.string(), z.number()))
    .describe('metric name → instance ("" for host-wide) → value'),
  use: listOf(
    z.looseObject({
      resource: resourceSchema,
      instance: z.string(),
      dimension: dimensionSchema,
      status: z.enum(['ok', 'warning', 'critical', 'unknown', 'gap']),
      metric: z.string().optional(),
      value: z.number().optional(),
      unit: z.string().optional(),
      reason: z.string().optional(),
    }),
    USE_COLUMNS,
  ),
  findings: z.array(
    z.looseObject({
      id: z.string(),
      rule: z.string(),
      resource: resourceSchema,
      dimension: dimensionSchema,
      instance: z.string(),
      severity: severitySchema,
      state: z.enum(['pending', 'firing', 'resolved']),
      summary: z.string(),
      since: z.number(),
      resolvedAt: z.number().optional(),
      evidence: z.looseObject({
        value: z.number(),
        threshold: z.number(),
        windowMs: z.number(),
        processes: listOf(processSchema, PROCESS_COLUMNS),
        victims: z
          .array(z.looseObject({ pid: z.number(), name: z.string(), ts: z.number(), rssBytes: z.number().optional() }))
          .optional()
          .describe('OOM findings: the processes the kernel log says the OOM killer killed in the episode'),
      }),
      next: z.array(z.string()),
    }),
  ),
  events: z.array(
    z.looseObject({
      ts: z.number(),
      kind: z.enum(['raised', 'escalated', 'de-escalated', 'resolved']),
      findingId: z.string(),
      rule: z.string(),
      instance: z.string(),
      severity: severitySchema,
      value: z.number(),
      summary: z.string(),
    }),
  ),
  processes: listOf(processSchema, PROCESS_COLUMNS),
  kernelEvents: z.array(
    z.looseObject({ ts: z.number(), resource: resourceSchema, kind: z.string(), text: z.string() }),
  ),
  sources: z.array(
    z.looseObject({
      source: z.string(),
      status: z.enum(['ok', 'absent', 'denied', 'failed']),
      reason: z.string().optional(),
    }),
  ),
  cgroups: listOf(
    z
      .looseObject({
        id: z.string(),
        name: z.string(),
        kind: z.enum(['service', 'scope', 'slice', 'container', 'pod']),
        runtime: z.enum(['systemd', 'docker', 'podman', 'containerd', 'cri-o', 'kubernetes']).optional(),
        container: z.string().optional(),
        pod: z.string().optional(),
        namespace: z.string().optional(),
        cpuLimit: z.number().optional(),
        memoryMaxBytes: z.number().optional(),
        memoryHighBytes: z.number().optional(),
        pidsMax: z.number().optional(),
        processes: z.number().optional(),
      })
      .describe(
        "A workload cgroup; in a table, its row also holds its cgroup.* metrics under their names, which a reader moves into the frame's metrics",
      ),
    [...CGROUP_NAME_COLUMNS, ...CGROUP_DETAIL_COLUMNS],
  ),
  self: z.looseObject({
    tickMs: z.number(),
    tickCpuMs: z.number(),
    collectors: z.array(z.looseObject({ name: z.string(), durationMs: z.number(), ok: z.boolean() })),
    skippedTicks: z.number(),
    rssBytes: z.number(),
  }),
} satisfies Record<FrameSection, z.ZodType>;

export const frameMessageSchema = z
  .looseObject({
    type: z.literal('frame'),
    /** Frames not sent to this client since its previous frame because it was reading too slowly. */
    skipped: z.number().int().positive().optional(),
    schema: z.literal(FRAME_SCHEMA),
    seq: z.number().int(),
    ts: z.number(),
    intervalMs: z.number(),
    ...Object.fromEntries(FRAME_SECTIONS.map((s) => [s, frameSectionSchemas[s].optional()])),
  })
  .describe('One tick. Every section is present unless the client subscribed to a subset.');

/** A frame as received: sections the client did not subscribe to are absent. */
export type WireFrame = Pick<Frame, 'schema' | 'seq' | 'ts' | 'intervalMs'> &
  Partial<Omit<Frame, 'schema' | 'seq' | 'ts' | 'intervalMs' | 'counters'>> & { skipped?: number };

// ---- server → client: control messages ------------------------------------------------------

// Server messages are loose objects: a client must accept fields a newer agent adds.
export const helloMessageSchema = z
  .looseObject({
    type: z.literal('hello'),
    protocol: z.literal(FEED_PROTOCOL),
    /** Frame schema version (Frame.schema). */
    schema: z.literal(FRAME_SCHEMA),
    /** Identifies the agent's sequence space: seq numbers only compare within one stream. */
    stream: z.string(),
    host: z.string(),
    agentVersion: z.string(),
    intervalMs: z.number(),
    checklist: z.array(z.string()).describe('Rule ids of the loaded checklist'),
    sections: z.array(sectionSchema).describe('Sections this client will receive'),
    /** How many backfill frames follow the hello (after a gap message, if any). */
    backfill: z.number().int().nonnegative(),
  })
  .describe('First message on every connection.');

export const gapMessageSchema = z
  .looseObject({
    type: z.literal('gap'),
    from: z.number().int(),
    to: z.number().int(),
  })
  .describe('Frames from..to (inclusive) were asked for with ?since= but have left the agent’s ring.');

export const errorMessageSchema = z
  .looseObject({
    type: z.literal('error'),
    code: z.string().describe('bad_message: the client message was not valid JSON or not a known message'),
    message: z.string(),
  })
  .describe('A client message was not understood; the connection stays open.');

export const pongMessageSchema = z
  .looseObject({
    type: z.literal('pong'),
    id: z.union([z.string(), z.number()]).optional(),
    ts: z.number(),
  })
  .describe('Answer to a client ping, with the server clock in epoch ms.');

export const serverMessageSchema = z.discriminatedUnion('type', [
  helloMessageSchema,
  frameMessageSchema,
  gapMessageSchema,
  errorMessageSchema,
  pongMessageSchema,
]);

export type HelloMessage = z.infer<typeof helloMessageSchema>;
export type GapMessage = z.infer<typeof gapMessageSchema>;
export type ErrorMessage = z.infer<typeof errorMessageSchema>;
export type PongMessage = z.infer<typeof pongMessageSchema>;
export type ServerMessage = HelloMessage | GapMessage | ErrorMessage | PongMessage | ({ type: 'frame' } & WireFrame);

/** Parses one server message; an error names the problem (a newer agent, a proxy returning HTML…). */
export function parseServerMessage(text: string): { ok: true; message: ServerMessage } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = parseWireJson(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const result = serverMessageSchema.safeParse(value);
  if (!result.success) return { ok: false, error: describeIssues(result.error) };
  const message = result.data as ServerMessage;
  if (message.type === 'frame') foldCgroupMetrics(message);
  return { ok: true, message };
}

/** The JSON Schema of both directions, written to docs/feed.schema.json. */
export function feedJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `usewatch feed protocol ${FEED_PROTOCOL}`,
    $defs: {
      serverMessage: withoutDialect(z.toJSONSchema(serverMessageSchema, { io: 'input' })),
      clientMessage: withoutDialect(z.toJSONSchema(clientMessageSchema, { io: 'input' })),
    },
  };
}

/** Nested definitions inherit the document's $schema. */
function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}
