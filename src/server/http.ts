import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log/logger.js';
import { hostPolicy, isLoopbackHost } from './auth.js';
import { type ConnectionLimits, ConnectionTable } from './connections.js';
import { RequestGate } from './gate.js';
import { answerRaw } from './raw-response.js';
import { type ReportOnce, reportOncePerKind } from './report-once.js';
import { RequestRouter, type Routes } from './requests.js';
import { type UpgradeHandler, UpgradeRouter } from './upgrades.js';

/** Bounds on plain connections (connections.ts), on request headers and on time. */
export interface ServerLimits extends ConnectionLimits {
  maxHeaderBytes: number;
  /** Time allowed for the request line and headers (slow-loris protection). */
  headersTimeoutMs: number;
  /**
   * Time allowed for a whole request; also how long a connection may make no progress at all (a
   * client that stopped reading its responses) before it is closed.
   */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /**
   * How often Node checks the two timeouts above; the effective timeout is at most this much later.
   * By default half the shorter of the two, and at least a second (`checkInterval`).
   */
  checkIntervalMs?: number;
}

/** How long close() leaves sockets to their owners before cutting them; the agent's stop has 2 s in all. */
const STRAGGLER_GRACE_MS = 1200;

export interface ServerOptions {
  host: string;
  port: number;
  /** Bearer token required on /metrics and /feed when set. */
  token?: string;
  /** The operator's explicit choice to serve a non-loopback address without a token. */
  insecureNoAuth?: boolean;
  tls?: { cert: string | Buffer; key: string | Buffer };
  allowHosts?: readonly string[];
  /** Machine name accepted in Host headers (os.hostname() in the agent). */
  machineName?: string;
  limits: ServerLimits;
  metrics?: Routes['metrics'];
  health: Routes['health'];
  /** The web live view, served at `/` (it reads /feed, so the agent gives it only with the feed on). */
  page?: Routes['page'];
  upgradeHandler?: UpgradeHandler;
  log: Logger;
}

export interface ServerStats {
  /** Open connections (past the handshake under TLS), upgraded feed sockets included. */
  connections: number;
  /** Connections closed or refused at the connection ceiling (maxHttpConnections). */
  rejectedConnections: number;
  /** Malformed requests, oversized headers, timed-out requests and connections pipelining too far ahead. */
  clientErrors: number;
  /** Requests refused for a missing or wrong token. */
  unauthorized: number;
}

export interface AgentServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  stats(): ServerStats;
  close(): Promise<void>;
}

/**
 * The agent's one HTTP(S) server: /metrics, /healthz, the /feed upgrade and the web page at `/`.
 * Host checked on every request (DNS rebinding), token on /metrics and /feed; header, request and
 * stall timeouts, a bound on pipelined requests and a ceiling on plain connections that closes idle
 * ones first, so that no client can hold the port, the agent's memory or the event loop that runs
 * the ticks.
 */
export async function startServer(opts: ServerOptions): Promise<AgentServer> {
  refuseOpenWithoutToken(opts);
  const state: ServerState = {
    limits: opts.limits,
    stats: { connections: 0, rejectedConnections: 0, clientErrors: 0, unauthorized: 0 },
    reportOnce: reportOncePerKind(opts.log),
  };
  const server = createNodeServer(opts.limits, opts.tls);
  const sockets = trackSockets(server);
  const connections = admitConnections(server, state, opts.tls !== undefined);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, state));

  const gate = new RequestGate(
    hostPolicy(opts.host, opts.allowHosts ?? [], opts.machineName),
    opts.token,
    state.stats,
    state.reportOnce,
  );
  const routes = {
    health: opts.health,
    metrics: opts.metrics && sharedPerEncoding(opts.metrics),
    feed: !!opts.upgradeHandler,
    page: opts.page,
  };
  const requests = new RequestRouter(gate, routes, opts.log);
  const upgrades = new UpgradeRouter(gate, requests, opts.limits.requestTimeoutMs, opts.upgradeHandler);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (connections.startRequest(req, res)) requests.respond(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // From here on the socket is the feed's (or closed): it leaves the plain connections.
    connections.release(socket);
    upgrades.route(req, socket, head);
  });

  await listen(server, opts.port, opts.host);
  server.on('error', (err) => opts.log.error({ err }, 'HTTP server error'));
  return runningServer(server, sockets, state.stats, opts.tls !== undefined);
}

/** What the server's steps share: its limits, the counters behind stats() and /metrics, the refusal log. */
interface ServerState {
  readonly limits: ServerLimits;
  readonly stats: ServerStats;
  readonly reportOnce: ReportOnce;
}

/** A non-loopback address without a token serves the host's data to the network: only on the operator's explicit word. */
function refuseOpenWithoutToken(opts: ServerOptions): void {
  if (!isLoopbackHost(opts.host) && opts.token === undefined && !opts.insecureNoAuth) {
    throw new Error(`refusing to listen on ${opts.host} without a token: give one, or choose --insecure-no-auth`);
  }
}

/** Node's server with the header, request and keep-alive timeouts (and TLS when given). */
function createNodeServer(limits: ServerLimits, tls: ServerOptions['tls']): Server {
  const serverOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: checkInterval(limits),
  };
  const server: Server = tls
    ? createHttpsServer({
        ...serverOptions,
        cert: tls.cert,
        key: tls.key,
        minVersion: 'TLSv1.2',
        handshakeTimeout: limits.headersTimeoutMs,
      })
    : createHttpServer(serverOptions);
  // A connection with no progress either way for this long is closed: a client that stopped reading
  // its responses holds the socket with Node's reads paused, which no request timeout covers. The
  // feed's sockets are exempt (ws clears the timeout on upgrade) and have their own heartbeat.
  server.setTimeout(limits.requestTimeoutMs);
  return server;
}

/**
 * Each check of the timeouts wakes the process apart from its ticks, which costs about half a
 * millisecond of CPU here (docs/performance.md): with the default 10 s header timeout the check
 * runs every 5 s, so a stalled request is cut after 10 to 15 s.
 */
export function checkInterval(limits: ServerLimits): number {
  return limits.checkIntervalMs ?? Math.max(1000, Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 2);
}

/** Every open TCP socket, upgraded ones included, to cut on close. */
function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** The connection ceiling: a connection over it, with none idle to close, gets 503 (or, under TLS, a close). */
function admitConnections(server: Server, state: ServerState, tls: boolean): ConnectionTable {
  const connections = new ConnectionTable(state.limits, state.stats, state.reportOnce);
  const admit = (socket: Socket) => {
    if (connections.admit(socket)) return;
    // A TLS client cannot read a plain-text reply; it just sees the close.
    if (tls) socket.destroy();
    else answerRaw(socket, 503, 'too many connections\n', ['Retry-After: 1']);
  };
  // Under TLS the requests' sockets are the TLS ones; a handshake in progress is bounded by its timeout.
  server.on(tls ? 'secureConnection' : 'connection', admit);
  return connections;
}

/** Malformed requests, oversized headers and timed-out requests: counted, answered if the socket still can be. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, state: ServerState): void {
  state.stats.clientErrors++;
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, body] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, `request headers exceed ${state.limits.maxHeaderBytes} bytes\n`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request not received in time\n']
        : [400, 'malformed HTTP request\n'];
  state.reportOnce(`client-${status}`, { code: err.code }, `bad request answered with ${status}`);
  answerRaw(socket, status, body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The listening server as the agent sees it; close() ends within STRAGGLER_GRACE_MS whatever peers do. */
function runningServer(server: Server, sockets: Set<Socket>, stats: ServerStats, tls: boolean): AgentServer {
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    host: addr.address,
    port: addr.port,
    url: `${tls ? 'https' : 'http'}://${hostForUrl}:${addr.port}`,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections (a scraper's) would otherwise hold close() open.
        server.closeAllConnections();
        // Upgraded sockets are the feed's to close; any still open after its grace period (a peer
        // that never completes a close handshake) must not hold the stop.
        setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, STRAGGLER_GRACE_MS).unref();
      }),
  };
}

/** sharedWhileRunning for each encoding of /metrics: a gzip scrape and a plain one do not share a body. */
function sharedPerEncoding<E extends string, T>(fn: (encoding: E) => Promise<T>): (encoding: E) => Promise<T> {
  const shared = new Map<E, () => Promise<T>>();
  return (encoding) => {
    let call = shared.get(encoding);
    if (call === undefined) {
      call = sharedWhileRunning(() => fn(encoding));
      shared.set(encoding, call);
    }
    return call();
  };
}

/**
 * Calls made while one is running share its result: pipelined or simultaneous scrapes render
 * /metrics once, and hold one body in memory, not one each.
 */
export function sharedWhileRunning<T>(fn: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= fn().finally(() => {
      running = undefined;
    });
    return running;
  };
}
