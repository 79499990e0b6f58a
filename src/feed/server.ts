import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { FRAME_SCHEMA, type Frame, serializeFrame } from '../model/frame.js';
import { wireSection } from '../model/wire.js';
import type { FrameBus } from '../pipeline/bus.js';
import { requestToken, tokenMatches } from '../server/auth.js';
import { answerRaw } from '../server/raw-response.js';
import { payloadOf, textFrame } from './framing.js';
import {
  CLOSE,
  type ErrorMessage,
  FEED_PROTOCOL,
  FRAME_SECTIONS,
  type FrameSection,
  type GapMessage,
  type HelloMessage,
  type PongMessage,
  parseClientMessage,
} from './protocol.js';
import { MessageBudget } from './rate-limit.js';

/** What the hello announces; a function so that a checklist reloaded on SIGHUP shows on the next connection. */
export interface FeedHelloInfo {
  host: string;
  agentVersion: string;
  intervalMs: number;
  checklist: string[];
}

export interface FeedAuthPolicy {
  /** The bearer token; compared in constant time. */
  token?: string;
  /** The agent sets this when it listens on a non-loopback address. Without a configured token nobody gets in. */
  requireToken: boolean;
  /** Exact origins ("https://dash.example.org") a browser page may connect from. A missing Origin is a non-browser client. */
  allowedOrigins: readonly string[];
}

export interface FeedLimits {
  /** Connections beyond this are accepted and closed at once with 1013. */
  maxClients: number;
  /** Connections from one remote address beyond this are closed with 1013. */
  maxPerAddress: number;
  /** A client message larger than this closes the connection with 1009. */
  maxMessageBytes: number;
  /** Client messages allowed per second on one connection, after a burst of maxMessageBurst; more closes it with 1008. */
  maxMessagesPerSecond: number;
  maxMessageBurst: number;
  /**
   * Above this many bytes queued for a client, its frames are skipped and its messages are neither
   * read nor answered until it drains: a client that does not read costs no more than this.
   */
  maxBufferedBytes: number;
  /** A client skipping frames continuously for this long is dropped. */
  maxBehindMs: number;
  /** Ping period; a peer that has not answered the previous ping when the next is due is dropped. */
  heartbeatMs: number;
}

export const DEFAULT_FEED_LIMITS: FeedLimits = {
  maxClients: 256,
  maxPerAddress: 32,
  maxMessageBytes: 4096,
  maxMessagesPerSecond: 10,
  maxMessageBurst: 20,
  maxBufferedBytes: 256 * 1024,
  maxBehindMs: 30_000,
  heartbeatMs: 15_000,
};

/** Minimal logger shape (pino's). */
export interface FeedLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface FeedServerOptions {
  bus: FrameBus;
  hello: () => FeedHelloInfo;
  auth: FeedAuthPolicy;
  limits?: Partial<FeedLimits>;
  /** Backfill on connect when the client does not say otherwise (`?backfill=`, `?since=`). */
  backfillMs?: number;
  log?: FeedLogger;
}

export interface FeedServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  clientCount(): number;
  /** Frames not sent to slow clients since the server started. */
  droppedFrames(): number;
  close(): Promise<void>;
}

interface Client {
  ws: WebSocket;
  /** The upgraded socket under `ws`: frames are written to it ready-made (see framing.ts). */
  socket: Duplex;
  address: string;
  sections: SectionSet;
  /** Frames skipped since this client's last frame; told to it with the next one. */
  skipped: number;
  /** When it started skipping, while it does. */
  behindSince: number | undefined;
  answeredPing: boolean;
  budget: MessageBudget;
  /** Reading stopped until its socket drains. */
  readPaused: boolean;
  /**
   * Frames it is owed (its backfill, then live frames that came meanwhile), written in order as its
   * socket drains: a resume of the whole ring is never queued at once.
   */
  owed: Frame[];
}

export interface SectionSet {
  list: FrameSection[];
  /** Cache key: clients with the same set share one serialised buffer. */
  key: string;
}

const ALL_SECTIONS: SectionSet = { list: FRAME_SECTIONS, key: '*' };
const FRAME_PREFIX = '{"type":"frame",';
const FRAME_PREFIX_BYTES = Buffer.byteLength(FRAME_PREFIX);
const INTEGER = /^\d{1,15}$/;

/**
 * Seq numbers only compare within one bus: a new agent process restarts them. The stream id tells a
 * resuming client whether its `since` still means anything; it belongs to the bus, so a feed server
 * recreated over the same bus keeps it.
 */
const streamIds = new WeakMap<FrameBus, string>();
function streamIdOf(bus: FrameBus): string {
  let id = streamIds.get(bus);
  if (id === undefined) {
    id = randomBytes(6).toString('hex');
    streamIds.set(bus, id);
  }
  return id;
}

/**
 * Section sets whose wire messages are kept per frame besides the full one. Each kept set costs a
 * copy of every frame in the ring (minutes of frames), and a client picks its set: 256 clients with
 * 256 different sets would otherwise hold hundreds of MB. Past this, a set is serialised per write.
 */
export const MAX_CACHED_SECTION_SETS = 8;

/**
 * Wire messages for a frame, one WebSocket frame per section set, shared by every client and by
 * later backfills while the frame stays in the ring (up to MAX_CACHED_SECTION_SETS narrowed sets).
 */
const wireCache = new WeakMap<Frame, Map<string, Buffer>>();
export function frameMessage(frame: Frame, sections: SectionSet): Buffer {
  let byKey = wireCache.get(frame);
  if (byKey === undefined) {
    byKey = new Map();
    wireCache.set(frame, byKey);
  }
  let buf = byKey.get(sections.key);
  if (buf === undefined) {
    buf = textFrame(
      sections === ALL_SECTIONS ? FRAME_PREFIX + serializeFrame(frame).slice(1) : narrowed(frame, sections),
    );
    const narrowedKept = byKey.size - (byKey.has(ALL_SECTIONS.key) ? 1 : 0);
    if (sections === ALL_SECTIONS || narrowedKept < MAX_CACHED_SECTION_SETS) byKey.set(sections.key, buf);
  }
  return buf;
}

function narrowed(frame: Frame, sections: SectionSet): string {
  const wire: Record<string, unknown> = {
    type: 'frame',
    schema: frame.schema,
    seq: frame.seq,
    ts: frame.ts,
    intervalMs: frame.intervalMs,
  };
  for (const s of sections.list) wire[s] = wireSection(frame, s);
  return JSON.stringify(wire);
}

function withSkipped(message: Buffer, skipped: number): Buffer {
  return textFrame(
    Buffer.concat([
      Buffer.from(`{"type":"frame","skipped":${skipped},`),
      payloadOf(message).subarray(FRAME_PREFIX_BYTES),
    ]),
  );
}

export function sectionSet(requested: readonly FrameSection[]): SectionSet {
  const list = FRAME_SECTIONS.filter((s) => requested.includes(s));
  return list.length === FRAME_SECTIONS.length ? ALL_SECTIONS : { list, key: list.join(',') };
}

interface ConnectRequest {
  since?: number;
  stream?: string;
  backfillMs?: number;
  sections: SectionSet;
}

/** The query of `/feed?since=&stream=&backfill=&sections=`; an error string names the bad parameter. */
function parseConnectRequest(url: URL): ConnectRequest | string {
  const q = url.searchParams;
  const request: ConnectRequest = { sections: ALL_SECTIONS };
  const since = q.get('since');
  if (since !== null) {
    if (!INTEGER.test(since)) return `since must be a sequence number, got "${since.slice(0, 20)}"`;
    request.since = Number(since);
  }
  const backfill = q.get('backfill');
  if (backfill !== null) {
    if (!INTEGER.test(backfill)) return `backfill must be a number of seconds, got "${backfill.slice(0, 20)}"`;
    request.backfillMs = Number(backfill) * 1000;
  }
  const stream = q.get('stream');
  if (stream !== null) request.stream = stream;
  const sections = q.get('sections');
  if (sections !== null) {
    const names = sections.split(',').filter((s) => s !== '');
    const unknown = names.find((s) => !(FRAME_SECTIONS as string[]).includes(s));
    if (unknown !== undefined || names.length === 0) {
      return `sections must be a comma-separated subset of ${FRAME_SECTIONS.join(',')}, got "${sections.slice(0, 60)}"`;
    }
    request.sections = sectionSet(names as FrameSection[]);
  }
  return request;
}

/** Starts the close handshake and cuts the connection if the peer has not completed it within `ms`. */
function closeWithin(ws: WebSocket, code: number, reason: string, ms: number): void {
  ws.close(code, reason);
  setTimeout(() => ws.terminate(), ms).unref();
}

/** Refuses a handshake with a plain HTTP response, before any WebSocket exists. */
function reject(socket: Duplex, status: number, reason: string, headers: string[] = []): void {
  answerRaw(socket, status, `${reason}\n`, headers);
}

/**
 * The `/feed` WebSocket endpoint over a FrameBus. Authentication, Origin and query checks happen on
 * the HTTP upgrade request so that refusals are plain 400/401/403 responses. Each frame is
 * serialised and framed once per section set and the same bytes go to every client in one write; a
 * client whose socket does not drain is skipped (and told how many it missed), then dropped if it
 * stays behind.
 */
export function createFeedServer(opts: FeedServerOptions): FeedServer {
  const limits: FeedLimits = { ...DEFAULT_FEED_LIMITS, ...opts.limits };
  const backfillMs = opts.backfillMs ?? 60_000;
  const stream = streamIdOf(opts.bus);
  const allowedOrigins = new Set(opts.auth.allowedOrigins.map((o) => o.toLowerCase()));
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // Measured: deflate costs ~10× the CPU and memory at 1,000 clients for a 1 Hz feed. Without it ws
    // never holds a frame back, which the frames written past it (framing.ts) rely on.
    perMessageDeflate: false,
    maxPayload: limits.maxMessageBytes,
  });
  const clients = new Set<Client>();
  const perAddress = new Map<string, number>();
  let dropped = 0;
  let closing = false;

  const unsubscribe = opts.bus.subscribe(broadcast);
  const heartbeat = setInterval(pingAll, limits.heartbeatMs);
  heartbeat.unref();

  function broadcast(frame: Frame): void {
    const now = Date.now();
    // Clients that fell behind together (a stalled network) missed the same count: one copy each.
    const catchUps = new Map<string, Buffer>();
    for (const c of clients) {
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      const full = c.socket.writableLength > limits.maxBufferedBytes;
      if (!full) c.behindSince = undefined;
      else {
        c.behindSince ??= now;
        if (now - c.behindSince >= limits.maxBehindMs) {
          // Its socket is full, so a close frame would never get through: cut it.
          opts.log?.warn({ address: c.address, skipped: c.skipped }, 'feed client dropped: behind for too long');
          c.ws.terminate();
          continue;
        }
      }
      if (c.owed.length > 0) {
        // Its backfill is still going out: live frames queue behind it, in order (the ring holds them).
        c.owed.push(frame);
        continue;
      }
      if (full) {
        c.skipped++;
        dropped++;
        continue;
      }
      const message = frameMessage(frame, c.sections);
      if (c.skipped === 0) {
        c.socket.write(message);
        continue;
      }
      const key = `${c.sections.key}:${c.skipped}`;
      let catchUp = catchUps.get(key);
      if (catchUp === undefined) {
        catchUp = withSkipped(message, c.skipped);
        catchUps.set(key, catchUp);
      }
      c.socket.write(catchUp);
      c.skipped = 0;
    }
  }

  function pingAll(): void {
    for (const c of clients) {
      if (!c.answeredPing) {
        opts.log?.info({ address: c.address }, 'feed client dropped: no answer to ping');
        c.ws.terminate();
        continue;
      }
      c.answeredPing = false;
      c.ws.ping();
    }
  }

  function sendJson(ws: WebSocket, message: HelloMessage | GapMessage | ErrorMessage | PongMessage): void {
    ws.send(JSON.stringify(message));
  }

  /**
   * Why a new client cannot get in, or undefined once it can. At a cap, the client that has the most
   * bytes waiting in the agent (it is not reading: a reading client's queue is empty between ticks)
   * is cut to make room, so that clients that never read cannot lock everyone else out; only when
   * every client counted by the cap is reading is the new one refused.
   */
  function admissionRefusal(address: string): string | undefined {
    if (closing) return 'server shutting down';
    const totalFull = clients.size >= limits.maxClients;
    const addressFull = (perAddress.get(address) ?? 0) >= limits.maxPerAddress;
    if (!totalFull && !addressFull) return undefined;
    const victim = furthestBehind(addressFull ? address : undefined);
    if (victim !== undefined) {
      opts.log?.info(
        { address: victim.address, queued: victim.socket.writableLength },
        'feed client cut: not reading, at the client cap',
      );
      forget(victim);
      victim.ws.terminate();
      return undefined;
    }
    return totalFull
      ? `too many clients (${limits.maxClients})`
      : `too many connections from this address (${limits.maxPerAddress})`;
  }

  /** The client (from `address`, if given) with the most bytes queued, if any has some. */
  function furthestBehind(address: string | undefined): Client | undefined {
    let worst: Client | undefined;
    for (const c of clients) {
      if (address !== undefined && c.address !== address) continue;
      if (c.socket.writableLength > (worst?.socket.writableLength ?? 0)) worst = c;
    }
    return worst;
  }

  function forget(client: Client): void {
    if (!clients.delete(client)) return;
    const n = (perAddress.get(client.address) ?? 1) - 1;
    if (n > 0) perAddress.set(client.address, n);
    else perAddress.delete(client.address);
  }

  function accept(ws: WebSocket, socket: Duplex, address: string, request: ConnectRequest): void {
    // A refused client still gets a WebSocket close code, which browsers can see (they cannot see HTTP statuses).
    ws.on('error', () => {});
    const refusal = admissionRefusal(address);
    if (refusal !== undefined) {
      // A refused peer that never answers the close must not keep its socket for ws's 30 s.
      closeWithin(ws, CLOSE.tryAgainLater, refusal, 1000);
      return;
    }
    const client: Client = {
      ws,
      socket,
      address,
      sections: request.sections,
      skipped: 0,
      behindSince: undefined,
      answeredPing: true,
      budget: new MessageBudget(limits.maxMessagesPerSecond, limits.maxMessageBurst, Date.now()),
      readPaused: false,
      owed: [],
    };
    clients.add(client);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    ws.on('pong', () => {
      // The answer to the heartbeat is free; any other pong is a message like the rest, or a client
      // could have the agent parse control frames at line rate for as long as it liked.
      if (!client.answeredPing) client.answeredPing = true;
      else if (ws.readyState === WebSocket.OPEN) overRate(client);
    });
    ws.on('ping', () => {
      if (ws.readyState === WebSocket.OPEN) overRate(client);
    });
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    ws.on('close', () => forget(client));
    sendBackfill(client, request);
  }

  /** hello, then a gap notice if needed, then the backfill: all before any live frame (same tick of the loop). */
  function sendBackfill(client: Client, request: ConnectRequest): void {
    const info = opts.hello();
    const sameStream = request.stream === undefined || request.stream === stream;
    // A `since` past the newest frame was never sent by this stream: it means nothing, like one
    // from another stream, and honouring it would send live frames older than what was asked for.
    const newest = opts.bus.recent().at(-1)?.seq ?? 0;
    let frames: readonly Frame[];
    let gap: GapMessage | undefined;
    if (request.since !== undefined && sameStream && request.since <= newest) {
      const resumed = opts.bus.since(request.since);
      frames = resumed.frames;
      if (resumed.gap) gap = { type: 'gap', from: request.since + 1, to: resumed.frames[0].seq - 1 };
    } else {
      const window = request.backfillMs ?? backfillMs;
      const after = Date.now() - window;
      frames = window > 0 ? opts.bus.recent().filter((f) => f.ts > after) : [];
    }
    const hello: HelloMessage = {
      type: 'hello',
      protocol: FEED_PROTOCOL,
      schema: FRAME_SCHEMA,
      stream,
      host: info.host,
      agentVersion: info.agentVersion,
      intervalMs: info.intervalMs,
      checklist: info.checklist,
      sections: client.sections.list,
      backfill: frames.length,
    };
    sendJson(client.ws, hello);
    if (gap) sendJson(client.ws, gap);
    client.owed = [...frames];
    writeOwed(client);
  }

  /** Writes owed frames while the client's queue is under the bound; the rest when its socket drains. */
  function writeOwed(client: Client): void {
    let next = client.owed.shift();
    while (next !== undefined) {
      const accepted = client.socket.write(frameMessage(next, client.sections));
      // Stopping only where a write returned false is what guarantees the 'drain' below.
      if (!accepted && client.socket.writableLength > limits.maxBufferedBytes) break;
      next = client.owed.shift();
    }
    if (client.owed.length > 0) client.socket.once('drain', () => writeOwed(client));
  }

  /**
   * Spends one message of the client's budget; past it, stops reading the client and closes it.
   * WebSocket pings and unrequested pongs count too: ws answers pings itself, so without this a
   * client could have the agent handle control frames at line rate.
   */
  function overRate(client: Client): boolean {
    if (client.budget.take(Date.now())) return false;
    opts.log?.info({ address: client.address }, 'feed client dropped: too many messages');
    client.ws.pause();
    closeWithin(client.ws, CLOSE.policyViolation, `more than ${limits.maxMessagesPerSecond} messages per second`, 1000);
    return true;
  }

  function onMessage(client: Client, data: WebSocket.RawData, isBinary: boolean): void {
    // ws still hands over the rest of a chunk it already read after a close or a pause.
    if (client.ws.readyState !== WebSocket.OPEN) return;
    if (overRate(client)) return;
    if (isBinary) {
      client.ws.close(CLOSE.tooBig, 'binary messages are not accepted');
      return;
    }
    const full = client.readPaused || client.socket.writableLength > limits.maxBufferedBytes;
    if (full && !client.readPaused) {
      // It is not reading what it asked for: stop reading it too, until its socket drains.
      client.readPaused = true;
      client.ws.pause();
      client.socket.once('drain', () => {
        client.readPaused = false;
        client.ws.resume();
      });
    }
    const parsed = parseClientMessage(data.toString());
    // Answers would only grow a queue that is not being read: none while it is full.
    if (!parsed.ok) {
      if (!full) sendJson(client.ws, { type: 'error', code: 'bad_message', message: parsed.error });
      return;
    }
    const message = parsed.message;
    // A subscription costs no output and shapes what it gets once it drains: applied even when full.
    if (message.type === 'subscribe') client.sections = sectionSet(message.sections);
    else if (!full)
      sendJson(
        client.ws,
        message.id === undefined ? { type: 'pong', ts: Date.now() } : { type: 'pong', id: message.id, ts: Date.now() },
      );
  }

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://feed.invalid');
      } catch {
        reject(socket, 400, 'the request target is not a valid URL');
        return;
      }
      const auth = opts.auth;
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedOrigins.has(origin.toLowerCase())) {
        reject(socket, 403, `Origin ${origin.slice(0, 100)} is not allowed`);
        return;
      }
      if (auth.requireToken && (auth.token === undefined || !tokenMatches(requestToken(req, url), auth.token))) {
        reject(socket, 401, 'a valid token is required (Authorization: Bearer or ?token=)', [
          'WWW-Authenticate: Bearer realm="usewatch"',
        ]);
        return;
      }
      const request = parseConnectRequest(url);
      if (typeof request === 'string') {
        reject(socket, 400, request);
        return;
      }
      const address = req.socket.remoteAddress ?? 'unknown';
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, socket, address, request));
    },
    clientCount: () => clients.size,
    droppedFrames: () => dropped,
    async close() {
      closing = true;
      unsubscribe();
      clearInterval(heartbeat);
      const closed = [...clients].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.ws.readyState === WebSocket.CLOSED) return resolve();
            c.ws.once('close', () => resolve());
            // A peer that does not read would never see the close frame: cut it at once.
            if (c.socket.writableLength > limits.maxBufferedBytes) c.ws.terminate();
            // A peer that does not answer the close handshake must not hold up shutdown.
            else closeWithin(c.ws, CLOSE.goingAway, 'server shutting down', 1000);
          }),
      );
      await Promise.all(closed);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
