import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { requestToken, tokenMatches } from '../server/auth.js';
import { ALL_SECTIONS, type SectionSet, sectionSet } from './frame-messages.js';
import { FRAME_SECTIONS, type FrameSection } from './protocol-base.js';

export interface FeedAuthPolicy {
  /** The bearer token; compared in constant time. */
  token?: string;
  /** The agent sets this when it listens on a non-loopback address. Without a configured token nobody gets in. */
  requireToken: boolean;
  /**
   * Exact origins ("https://dash.example.org") a browser page may connect from, besides the agent's
   * own (its web page). A missing Origin is a non-browser client.
   */
  allowedOrigins: readonly string[];
}

/** What a client asks for in the query of its upgrade request. */
export interface ConnectRequest {
  since?: number;
  stream?: string;
  backfillMs?: number;
  sections: SectionSet;
}

/** A handshake refused with a plain HTTP response (browsers see only that it failed; other clients see why). */
export interface HandshakeRefusal {
  status: number;
  reason: string;
  headers?: string[];
}

const INTEGER = /^\d{1,15}$/;

/**
 * The checks on a `/feed` upgrade request, made before any WebSocket exists so that a refusal is a
 * plain 400/401/403 response: a valid target, an allowed Origin, the token, then a valid query.
 */
export class FeedHandshake {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(private readonly auth: FeedAuthPolicy) {
    this.allowedOrigins = new Set(auth.allowedOrigins.map((o) => o.toLowerCase()));
  }

  /** The client's request once every check passes, or the refusal to answer it with. */
  check(req: IncomingMessage): ConnectRequest | HandshakeRefusal {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://feed.invalid');
    } catch {
      return { status: 400, reason: 'the request target is not a valid URL' };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.allowedOrigins.has(origin.toLowerCase()) && !isSameOrigin(origin, req)) {
      return { status: 403, reason: `Origin ${origin.slice(0, 100)} is not allowed` };
    }
    const { token, requireToken } = this.auth;
    if (requireToken && (token === undefined || !tokenMatches(requestToken(req, url), token))) {
      return {
        status: 401,
        reason: 'a valid token is required (Authorization: Bearer or ?token=)',
        headers: ['WWW-Authenticate: Bearer realm="usewatch"'],
      };
    }
    const request = parseConnectRequest(url);
    return typeof request === 'string' ? { status: 400, reason: request } : request;
  }
}

/**
 * True for the agent's own page: an Origin naming the scheme and Host of this very request. The Host
 * header itself is checked against the server's names (DNS rebinding) before the feed sees it, so a
 * page elsewhere cannot pass by naming its own host.
 */
function isSameOrigin(origin: string, req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (host === undefined) return false;
  const scheme = (req.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http';
  return origin.toLowerCase() === `${scheme}://${host.toLowerCase()}`;
}

export function isRefusal(checked: ConnectRequest | HandshakeRefusal): checked is HandshakeRefusal {
  return 'status' in checked;
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
