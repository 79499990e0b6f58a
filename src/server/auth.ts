import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { tokenFromSubprotocols } from '../feed/subprotocol.js';

/**
 * Who may talk to the agent's HTTP server. Shared by every path, including the WebSocket feed's
 * upgrade, so that one policy holds for the whole port.
 */

/** Compares a presented token with the expected one in constant time (digests of equal length). */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || expected.length === 0) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const PORT_SUFFIX = /^:\d{1,5}$/;
const PORT = /^\d{1,5}$/;

/**
 * The token a request carries: `Authorization: Bearer …`, else on a WebSocket upgrade the token
 * subprotocol (src/feed/subprotocol.ts; a browser cannot set headers on a WebSocket), else a
 * `?token=` query parameter, for scripts that can do neither.
 */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = BEARER.exec(header);
    if (m) return m[1];
  }
  if (req.headers.upgrade !== undefined) {
    const offered = tokenFromSubprotocols(req.headers['sec-websocket-protocol']);
    if (offered !== undefined) return offered;
  }
  return url.searchParams.get('token') ?? undefined;
}

export interface HostPolicy {
  /** Lower-case host names (without port) accepted in the Host header besides IP literals. */
  names: ReadonlySet<string>;
  /** `--allow-host '*'`: the operator turned the check off. */
  any: boolean;
}

/**
 * The names a Host header may carry for a server listening on `listenHost`: "localhost", the
 * listen address, the machine's host name and the operator's `--allow-host` names. IP literals are
 * always accepted: DNS rebinding needs a name the attacker resolves, never a literal address.
 */
export function hostPolicy(listenHost: string, allowHosts: readonly string[], machineName?: string): HostPolicy {
  const names = new Set<string>(['localhost']);
  const add = (n: string | undefined) => {
    if (n) names.add(stripBrackets(n.toLowerCase()).replace(/\.$/, ''));
  };
  add(listenHost);
  add(machineName);
  let any = false;
  for (const h of allowHosts) {
    if (h === '*') any = true;
    else add(h);
  }
  return { names, any };
}

/**
 * True when the Host header names this server. A request without a Host header passes: only
 * HTTP/1.0 clients omit it (Node answers 400 to HTTP/1.1 without one), and browsers always send it,
 * so it cannot be a rebinding attack.
 */
export function hostAllowed(hostHeader: string | undefined, policy: HostPolicy): boolean {
  if (hostHeader === undefined || policy.any) return true;
  const name = hostName(hostHeader.trim().toLowerCase());
  if (name === undefined || name.length === 0) return false;
  if (isIP(name) !== 0) return true;
  return policy.names.has(name.endsWith('.') ? name.slice(0, -1) : name);
}

/** The host part of a Host header value: "[::1]:9733" → "::1", "example.org:80" → "example.org". */
function hostName(value: string): string | undefined {
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0) return undefined;
    const rest = value.slice(close + 1);
    if (rest !== '' && !PORT_SUFFIX.test(rest)) return undefined;
    return value.slice(1, close);
  }
  const colon = value.indexOf(':');
  if (colon < 0) return value;
  if (!PORT.test(value.slice(colon + 1))) return undefined;
  return value.slice(0, colon);
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** Addresses that only local processes can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = stripBrackets(host.toLowerCase());
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}
