import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseUrl, type RequestGate } from './gate.js';
import { answerRaw } from './raw-response.js';
import type { RequestRouter } from './requests.js';

/** Takes over a WebSocket handshake on /feed once the server has checked Host and token. */
export interface UpgradeHandler {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * Requests with an Upgrade header. Only /feed upgrades, once Host and token pass; elsewhere the
 * header (h2c, a websocket on /healthz) is ignored and the request answered as a plain one, on a
 * connection then closed. Refusals are written on the raw socket, which no ServerResponse owns.
 */
export class UpgradeRouter {
  constructor(
    private readonly gate: RequestGate,
    private readonly plain: RequestRouter,
    private readonly stallTimeoutMs: number,
    private readonly feed: UpgradeHandler | undefined,
  ) {}

  route(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node's own error listener left the socket with the upgrade.
    socket.on('error', () => socket.destroy());
    const url = parseUrl(req.url);
    if (url === undefined) answerRaw(socket, 400, 'malformed request target\n');
    else if (url.pathname !== '/feed') this.answerAsPlain(req, socket as Socket);
    else {
      const refused = this.feedRefusal(req, url);
      if (refused) answerRaw(socket, refused.status, refused.body, refused.headers);
      else this.feed?.handleUpgrade(req, socket, head);
    }
  }

  /** Why a /feed upgrade is refused: a foreign Host, the feed off, no valid token; undefined when it may go ahead. */
  private feedRefusal(
    req: IncomingMessage,
    url: URL,
  ): { status: number; body: string; headers?: string[] } | undefined {
    if (!this.gate.hostAllowed(req)) return { status: 421, body: 'the Host header does not name this server\n' };
    if (!this.feed) return { status: 404, body: 'the live feed is not enabled\n' };
    if (!this.gate.authorized(req, url)) {
      return {
        status: 401,
        body: 'a bearer token is required\n',
        headers: ['WWW-Authenticate: Bearer realm="usewatch"'],
      };
    }
    return undefined;
  }

  private answerAsPlain(req: IncomingMessage, socket: Socket): void {
    // It has left the plain connections: its own stall timeout bounds a client that does not read.
    socket.setTimeout(this.stallTimeoutMs, () => socket.destroy());
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', () => socket.end());
    this.plain.respond(req, res);
  }
}
