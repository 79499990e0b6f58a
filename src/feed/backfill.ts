import { randomBytes } from 'node:crypto';
import { FRAME_SCHEMA } from '../model/frame.js';
import type { FrameBus, KeptFrame } from '../pipeline/bus.js';
import type { ConnectRequest } from './handshake.js';
import type { GapMessage, HelloMessage } from './protocol.js';
import { FEED_PROTOCOL } from './protocol-base.js';

/** What the hello announces; a function so that a checklist reloaded on SIGHUP shows on the next connection. */
export interface FeedHelloInfo {
  host: string;
  agentVersion: string;
  intervalMs: number;
  checklist: string[];
}

/** What a new client gets before any live frame: the hello, a gap notice if needed, the frames it is owed. */
export interface Opening {
  hello: HelloMessage;
  gap?: GapMessage;
  frames: readonly KeptFrame[];
}

/**
 * Seq numbers only compare within one bus: a new agent process restarts them. The stream id tells a
 * resuming client whether its `since` still means anything; it belongs to the bus, so a feed server
 * recreated over the same bus keeps it.
 */
const streamIds = new WeakMap<FrameBus, string>();
export function streamIdOf(bus: FrameBus): string {
  let id = streamIds.get(bus);
  if (id === undefined) {
    id = randomBytes(6).toString('hex');
    streamIds.set(bus, id);
  }
  return id;
}

/**
 * A connecting client's opening: a resume after `since` when it names a frame of this stream (with
 * a gap notice when frames after it have left the ring), else the frames of the last
 * `backfillMs` (the client's own window, or the server's default).
 */
export function openingFor(
  bus: FrameBus,
  request: ConnectRequest,
  server: { info: FeedHelloInfo; defaultBackfillMs: number; now: number },
): Opening {
  const stream = streamIdOf(bus);
  const sameStream = request.stream === undefined || request.stream === stream;
  // A `since` past the newest frame was never sent by this stream: it means nothing, like one
  // from another stream, and honouring it would send live frames older than what was asked for.
  const newest = bus.recent().at(-1)?.seq ?? 0;
  let frames: readonly KeptFrame[];
  let gap: GapMessage | undefined;
  if (request.since !== undefined && sameStream && request.since <= newest) {
    const resumed = bus.since(request.since);
    frames = resumed.frames;
    if (resumed.gap) gap = { type: 'gap', from: request.since + 1, to: resumed.frames[0].seq - 1 };
  } else {
    const window = request.backfillMs ?? server.defaultBackfillMs;
    const after = server.now - window;
    frames = window > 0 ? bus.recent().filter((f) => f.ts > after) : [];
  }
  const { info } = server;
  const hello: HelloMessage = {
    type: 'hello',
    protocol: FEED_PROTOCOL,
    schema: FRAME_SCHEMA,
    stream,
    host: info.host,
    agentVersion: info.agentVersion,
    intervalMs: info.intervalMs,
    checklist: info.checklist,
    sections: request.sections.list,
    backfill: frames.length,
  };
  return { hello, gap, frames };
}
