import { createServer as createHttpServer, type IncomingMessage, type Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log/logger.js';
import { hostAllowed, hostPolicy, isLoopbackHost, requestToken, tokenMatches } from './auth.js';
import { ConnectionTable } from './connections.js';
import { answerRaw } from './raw-response.js';

/** Takes over a WebSocket handshake on /feed once the server has checked Host and token. */
export interface UpgradeHandler {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface ServerLimits {
  /**
   * Connections not handed to the feed. At the ceiling a new connection closes the oldest one that is
   * idle (waiting for a request, or for a client that stopped reading); with none idle it gets 503.
   * Not per address: on loopback every local client is 127.0.0.1, so a per-address cap on plain
   * requests would let one client lock out /healthz and /metrics for all the others.
   */
  maxHttpConnections: number;
  /** Requests read on one connection whose responses are not yet written; one more closes it. */
  maxPipelinedRequests: number;
  maxHeaderBytes: number;
  /** Time allowed for the request line and headers (slow-loris protection). */
  headersTimeoutMs: number;
  /**
   * Time allowed for a whole request; also how long a connection may make no progress at all (a
   * client that stopped reading its responses) before it is closed.
   */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** How often Node checks the two timeouts above; the effective timeout is at most this much later. */
  checkIntervalMs?: number;
}

/** Fixed bounds of the agent's server (not in the configuration). */
export const MAX_HTTP_CONNECTIONS = 512;
export const MAX_PIPELINED_REQUESTS = 8;
/** How long close() leaves sockets to their owners before cutting them; the agent's stop has 2 s in all. */
const STRAGGLER_GRACE_MS = 1200;

export interface HealthReport {
  ok: boolean;
  body: Record<string, unknown>;
}

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
  /** Renders /metrics; without it /metrics is 404 (the Prometheus output is off). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  health: () => HealthReport;
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

const PATHS = new Set(['/metrics', '/healthz', '/feed']);
const ALLOW = 'GET, HEAD';

/**
 * The agent's one HTTP(S) server: /metrics, /healthz and the /feed upgrade. Host checked on every
 * request (DNS rebinding), token on /metrics and /feed; header, request and stall timeouts, a bound
 * on pipelined requests and a ceiling on plain connections that closes idle ones first, so that no
 * client can hold the port, the agent's memory or the event loop that runs the ticks.
 */
export async function startServer(opts: ServerOptions): Promise<AgentServer> {
  if (!isLoopbackHost(opts.host) && opts.token === undefined && !opts.insecureNoAuth) {
    throw new Error(`refusing to listen on ${opts.host} without a token: give one, or choose --insecure-no-auth`);
  }
  const { limits, log } = opts;
  const policy = hostPolicy(opts.host, opts.allowHosts ?? [], opts.machineName);
  const stats: ServerStats = { connections: 0, rejectedConnections: 0, clientErrors: 0, unauthorized: 0 };
  const reported = new Set<string>();
  // One line per kind of refusal, then only counts (in stats and /metrics): a flood must not flood the log.
  const reportOnce = (kind: string, fields: Record<string, unknown>, msg: string) => {
    if (reported.has(kind)) return;
    reported.add(kind);
    log.warn(fields, `${msg}; further ones are only counted`);
  };
  const renderMetrics = opts.metrics && sharedWhileRunning(opts.metrics);

  const serverOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs ?? 1000,
  };
  const server: Server = opts.tls
    ? createHttpsServer({
        ...serverOptions,
        cert: opts.tls.cert,
        key: opts.tls.key,
        minVersion: 'TLSv1.2',
        handshakeTimeout: limits.headersTimeoutMs,
      })
    : createHttpServer(serverOptions);
  // A connection with no progress either way for this long is closed: a client that stopped reading
  // its responses holds the socket with Node's reads paused, which no request timeout covers. The
  // feed's sockets are exempt (ws clears the timeout on upgrade) and have their own heartbeat.
  server.setTimeout(limits.requestTimeoutMs);

  /** Every open TCP socket, upgraded ones included, to cut on close. */
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const connections = new ConnectionTable(limits, stats, reportOnce);
  const admit = (socket: Socket) => {
    if (connections.admit(socket)) return;
    // A TLS client cannot read a plain-text reply; it just sees the close.
    if (opts.tls) socket.destroy();
    else answerRaw(socket, 503, 'too many connections\n', ['Retry-After: 1']);
  };
  // Under TLS the requests' sockets are the TLS ones; a handshake in progress is bounded by its timeout.
  server.on(opts.tls ? 'secureConnection' : 'connection', admit);

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    stats.clientErrors++;
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, body] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, `request headers exceed ${limits.maxHeaderBytes} bytes\n`]
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'request not received in time\n']
          : [400, 'malformed HTTP request\n'];
    reportOnce(`client-${status}`, { code: err.code }, `bad request answered with ${status}`);
    answerRaw(socket, status, body);
  });

  const authorized = (req: IncomingMessage, url: URL): boolean => {
    if (opts.token === undefined) return true;
    if (tokenMatches(requestToken(req, url), opts.token)) return true;
    stats.unauthorized++;
    reportOnce('auth', { remote: req.socket.remoteAddress, path: url.pathname }, 'request without a valid token');
    return false;
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (connections.startRequest(req, res)) respond(req, res);
  });

  function respond(req: IncomingMessage, res: ServerResponse): void {
    void handle(req, res).catch((err) => {
      log.error({ err }, 'request handler failed');
      if (!res.headersSent) reply(res, 500, 'internal error\n');
      else res.destroy();
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseUrl(req.url);
    if (url === undefined) return reply(res, 400, 'malformed request target\n');
    if (hasBody(req)) {
      // The agent accepts no bodies: answered before anything else, with Connection: close so that
      // Node closes the socket once the answer is out instead of reading (and throwing away) a body
      // that may never end.
      return reply(res, 413, 'request bodies are not accepted\n', { Connection: 'close' });
    }
    if (!hostAllowed(req.headers.host, policy)) {
      reportOnce('host', { host: req.headers.host }, 'request with a foreign Host header refused');
      return reply(
        res,
        421,
        'the Host header does not name this server (DNS rebinding protection); allow a name with --allow-host\n',
      );
    }
    if (!PATHS.has(url.pathname)) return reply(res, 404, 'not found: the paths are /metrics, /healthz and /feed\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return reply(res, 405, `method ${req.method} not allowed\n`, { Allow: ALLOW });
    }
    if (url.pathname === '/healthz') {
      const health = opts.health();
      return reply(res, health.ok ? 200 : 503, `${JSON.stringify(health.body)}\n`, {
        'Content-Type': 'application/json',
      });
    }
    if (url.pathname === '/feed') {
      if (!opts.upgradeHandler) return reply(res, 404, 'the live feed is not enabled\n');
      return reply(res, 426, 'the feed is a WebSocket: send an Upgrade request\n', {
        Upgrade: 'websocket',
        Connection: 'Upgrade',
      });
    }
    if (!renderMetrics) return reply(res, 404, 'the Prometheus output is disabled\n');
    if (!authorized(req, url)) {
      return reply(res, 401, 'a bearer token is required\n', { 'WWW-Authenticate': 'Bearer realm="usewatch"' });
    }
    const { contentType, body } = await renderMetrics();
    return reply(res, 200, body, { 'Content-Type': contentType });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // From here on the socket is the feed's (or closed): it leaves the plain connections.
    connections.release(socket);
    // Node's own error listener left the socket with the upgrade.
    socket.on('error', () => socket.destroy());
    const url = parseUrl(req.url);
    if (url === undefined) return answerRaw(socket, 400, 'malformed request target\n');
    if (url.pathname !== '/feed') {
      // Only the feed upgrades: elsewhere an Upgrade header (h2c, a websocket on /healthz) is ignored
      // and the request answered as a plain one, on a connection then closed.
      // It has left the plain connections: its own stall timeout bounds a client that does not read.
      const plain = socket as Socket;
      plain.setTimeout(limits.requestTimeoutMs, () => plain.destroy());
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(plain);
      res.once('finish', () => socket.end());
      return respond(req, res);
    }
    if (!hostAllowed(req.headers.host, policy)) {
      reportOnce('host', { host: req.headers.host }, 'request with a foreign Host header refused');
      return answerRaw(socket, 421, 'the Host header does not name this server\n');
    }
    if (!opts.upgradeHandler) return answerRaw(socket, 404, 'the live feed is not enabled\n');
    if (!authorized(req, url)) {
      return answerRaw(socket, 401, 'a bearer token is required\n', ['WWW-Authenticate: Bearer realm="usewatch"']);
    }
    opts.upgradeHandler.handleUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'HTTP server error'));
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  return {
    host: addr.address,
    port: addr.port,
    url: `${opts.tls ? 'https' : 'http'}://${hostForUrl}:${addr.port}`,
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

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function parseUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}
