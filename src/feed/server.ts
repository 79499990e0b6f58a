import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Frame } from '../model/frame.js';
import type { FrameBus } from '../pipeline/bus.js';
import { answerRaw } from '../server/raw-response.js';
import { type FeedHelloInfo, openingFor } from './backfill.js';
import { closeWithin, FeedClient } from './client-session.js';
import { ClientTable } from './client-table.js';
import { CatchUpMessages } from './frame-messages.js';
import { type ConnectRequest, type FeedAuthPolicy, FeedHandshake, isRefusal } from './handshake.js';
import { DEFAULT_FEED_LIMITS, type FeedLimits, type FeedLogger } from './limits.js';
import { CLOSE } from './protocol-base.js';
import { selectSubprotocol } from './subprotocol.js';

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

/**
 * The `/feed` WebSocket endpoint over a FrameBus. Authentication, Origin and query checks happen on
 * the HTTP upgrade request so that refusals are plain 400/401/403 responses (handshake.ts). Each
 * frame is serialised and framed once per section set and the same bytes go to every client in one
 * write (frame-messages.ts); a client whose socket does not drain is skipped (and told how many it
 * missed), then dropped if it stays behind (client-session.ts).
 */
export function createFeedServer(opts: FeedServerOptions): FeedServer {
  return new WebSocketFeed(opts);
}

class WebSocketFeed implements FeedServer {
  private readonly limits: FeedLimits;
  private readonly handshake: FeedHandshake;
  private readonly wss: WebSocketServer;
  private readonly clients: ClientTable<FeedClient>;
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private dropped = 0;
  private closing = false;

  constructor(private readonly opts: FeedServerOptions) {
    this.limits = { ...DEFAULT_FEED_LIMITS, ...opts.limits };
    this.handshake = new FeedHandshake(opts.auth);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // Measured: deflate costs ~10× the CPU and memory at 1,000 clients for a 1 Hz feed. Without it ws
      // never holds a frame back, which the frames written past it (framing.ts) rely on.
      perMessageDeflate: false,
      maxPayload: this.limits.maxMessageBytes,
      // ws would otherwise echo the first subprotocol offered, which could be a browser's token.
      handleProtocols: selectSubprotocol,
    });
    this.clients = new ClientTable(this.limits);
    this.unsubscribe = opts.bus.subscribe((frame) => this.broadcast(frame));
    this.heartbeat = setInterval(() => this.pingAll(), this.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const checked = this.handshake.check(req);
    if (isRefusal(checked)) {
      answerRaw(socket, checked.status, `${checked.reason}\n`, checked.headers);
      return;
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, address, checked));
  }

  clientCount(): number {
    return this.clients.size;
  }

  droppedFrames(): number {
    return this.dropped;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe();
    clearInterval(this.heartbeat);
    await Promise.all([...this.clients].map((c) => c.closeForShutdown()));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** One frame to every client, in one write each; the catch-up messages are shared among them. */
  private broadcast(frame: Frame): void {
    const now = Date.now();
    const catchUps = new CatchUpMessages(frame);
    for (const c of this.clients) {
      if (c.offer(frame, now, catchUps) === 'skipped') this.dropped++;
    }
  }

  private pingAll(): void {
    for (const c of this.clients) c.heartbeat();
  }

  /** A client past the handshake: admitted (perhaps cutting one that does not read) or closed with 1013. */
  private accept(ws: WebSocket, socket: Duplex, address: string, request: ConnectRequest): void {
    // A refused client still gets a WebSocket close code, which browsers can see (they cannot see HTTP statuses).
    ws.on('error', () => {});
    const refusal = this.admit(address);
    if (refusal !== undefined) {
      // A refused peer that never answers the close must not keep its socket for ws's 30 s.
      closeWithin(ws, CLOSE.tryAgainLater, refusal, 1000);
      return;
    }
    const client = new FeedClient(ws, socket, address, request.sections, this.limits, this.opts.log);
    this.clients.add(client);
    ws.on('close', () => this.clients.forget(client));
    client.open(
      openingFor(this.opts.bus, request, {
        info: this.opts.hello(),
        defaultBackfillMs: this.opts.backfillMs ?? 60_000,
        now: Date.now(),
      }),
    );
  }

  /** Why a new client cannot get in, or undefined once it can (see ClientTable). */
  private admit(address: string): string | undefined {
    if (this.closing) return 'server shutting down';
    const admission = this.clients.admission(address);
    if (!admission.admitted) return admission.reason;
    const victim = admission.evicted;
    if (victim !== undefined) {
      this.opts.log?.info(
        { address: victim.address, queued: victim.queuedBytes() },
        'feed client cut: not reading, at the client cap',
      );
      victim.cut();
    }
    return undefined;
  }
}
