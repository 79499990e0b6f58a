import type { IncomingMessage } from 'node:http';
import { type HostPolicy, hostAllowed, requestToken, tokenMatches } from './auth.js';
import type { ReportOnce } from './report-once.js';

/**
 * The two checks every route shares, plain request or upgrade: the Host header names this server
 * (DNS rebinding), and the token when one is set. A refusal is counted and reported once per kind.
 */
export class RequestGate {
  constructor(
    private readonly policy: HostPolicy,
    private readonly token: string | undefined,
    private readonly stats: { unauthorized: number },
    private readonly reportOnce: ReportOnce,
  ) {}

  hostAllowed(req: IncomingMessage): boolean {
    if (hostAllowed(req.headers.host, this.policy)) return true;
    this.reportOnce('host', { host: req.headers.host }, 'request with a foreign Host header refused');
    return false;
  }

  authorized(req: IncomingMessage, url: URL): boolean {
    if (this.token === undefined) return true;
    if (tokenMatches(requestToken(req, url), this.token)) return true;
    this.stats.unauthorized++;
    this.reportOnce('auth', { remote: req.socket.remoteAddress, path: url.pathname }, 'request without a valid token');
    return false;
  }
}

/** The request target as a URL; undefined when it is not one. */
export function parseUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}
