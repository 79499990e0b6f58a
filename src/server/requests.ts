import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.js';
import type { WebPage } from '../web/page.js';
import { parseUrl, type RequestGate } from './gate.js';
import { httpDateCache } from './http-date.js';

export interface HealthReport {
  ok: boolean;
  body: Record<string, unknown>;
}

/** What the plain routes serve. */
export interface Routes {
  health: () => HealthReport;
  /** Renders /metrics, gzip'd when asked; without it /metrics is 404 (the Prometheus output is off). */
  metrics?: (encoding: 'identity' | 'gzip') => Promise<MetricsReply>;
  /** Whether /feed upgrades are taken (a plain GET on it is then told to upgrade). */
  feed: boolean;
  /** The web live view at `/` and its files; without it those paths are 404. */
  page?: WebPage;
}

export interface MetricsReply {
  contentType: string;
  body: string | Buffer;
  /** Set when the body is compressed. */
  contentEncoding?: 'gzip';
}

/** An answer to a plain request, decided before anything is written. */
export interface Reply {
  status: number;
  body: string | Buffer;
  headers?: Record<string, string>;
}

const PATHS = new Set(['/metrics', '/healthz', '/feed']);
const ALLOW = 'GET, HEAD';

/**
 * The plain requests: /metrics, /healthz, a GET on /feed and the web page's files. Checks run
 * cheapest and most general first (a body, the Host header, the path, the method, then the token),
 * so that a refusal costs the agent as little as possible and says what is wrong. The page's files
 * need no token: they hold no host data.
 */
export class RequestRouter {
  constructor(
    private readonly gate: RequestGate,
    private readonly routes: Routes,
    private readonly log: Logger,
  ) {}

  /** Answers a request; a failing handler gets a 500 (or a cut connection once headers are out). */
  respond(req: IncomingMessage, res: ServerResponse): void {
    void this.route(req)
      .then((r) => writeReply(res, r))
      .catch((err) => {
        this.log.error({ err }, 'request handler failed');
        if (!res.headersSent) writeReply(res, { status: 500, body: 'internal error\n' });
        else res.destroy();
      });
  }

  async route(req: IncomingMessage): Promise<Reply> {
    const url = parseUrl(req.url);
    if (url === undefined) return { status: 400, body: 'malformed request target\n' };
    if (hasBody(req)) {
      // The agent accepts no bodies: answered before anything else, with Connection: close so that
      // Node closes the socket once the answer is out instead of reading (and throwing away) a body
      // that may never end.
      return { status: 413, body: 'request bodies are not accepted\n', headers: { Connection: 'close' } };
    }
    if (!this.gate.hostAllowed(req)) {
      return {
        status: 421,
        body: 'the Host header does not name this server (DNS rebinding protection); allow a name with --allow-host\n',
      };
    }
    const onPage = this.routes.page?.has(url.pathname) ?? false;
    if (!PATHS.has(url.pathname) && !onPage) {
      return {
        status: 404,
        body: `not found: the paths are ${this.routes.page ? '/, ' : ''}/metrics, /healthz and /feed\n`,
      };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return { status: 405, body: `method ${req.method} not allowed\n`, headers: { Allow: ALLOW } };
    }
    if (onPage) return this.routes.page!.reply(url.pathname, req.headers)!;
    if (url.pathname === '/healthz') {
      const health = this.routes.health();
      const body = `${JSON.stringify(health.body)}\n`;
      return { status: health.ok ? 200 : 503, body, headers: { 'Content-Type': 'application/json' } };
    }
    if (url.pathname === '/feed') {
      if (!this.routes.feed) return { status: 404, body: 'the live feed is not enabled\n' };
      return {
        status: 426,
        body: 'the feed is a WebSocket: send an Upgrade request\n',
        headers: { Upgrade: 'websocket', Connection: 'Upgrade' },
      };
    }
    if (!this.routes.metrics) return { status: 404, body: 'the Prometheus output is disabled\n' };
    if (!this.gate.authorized(req, url)) {
      return {
        status: 401,
        body: 'a bearer token is required\n',
        headers: { 'WWW-Authenticate': 'Bearer realm="usewatch"' },
      };
    }
    const encoding = acceptsGzip(req.headers['accept-encoding']) ? 'gzip' : 'identity';
    const { contentType, body, contentEncoding } = await this.routes.metrics(encoding);
    const headers: Record<string, string> = { 'Content-Type': contentType, Vary: 'Accept-Encoding' };
    if (contentEncoding) headers['Content-Encoding'] = contentEncoding;
    return { status: 200, body, headers };
  }
}

const Q_VALUE = /;\s*q\s*=\s*([0-9.]+)/i;

/**
 * Whether an Accept-Encoding header (RFC 9110, 12.5.3) takes gzip: "gzip" or "x-gzip" listed with a
 * weight above 0, or "*" above 0 without gzip itself refused.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let named: boolean | undefined;
  let any = false;
  for (const item of header.split(',')) {
    const coding = item.split(';', 1)[0].trim().toLowerCase();
    const q = Q_VALUE.exec(item);
    const weighted = q === null || Number(q[1]) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') named = (named ?? false) || weighted;
    else if (coding === '*') any = weighted;
  }
  return named ?? any;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

const httpDate = httpDateCache();

function writeReply(res: ServerResponse, reply: Reply): void {
  res.sendDate = false;
  res.writeHead(reply.status, {
    Date: httpDate(),
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(reply.body),
    ...reply.headers,
  });
  res.end(reply.body);
}
