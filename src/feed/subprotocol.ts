/**
 * The WebSocket subprotocols of the feed. A browser's WebSocket API cannot set an Authorization
 * header and a token in the URL ends up in logs and history, so a browser offers its token as a
 * second subprotocol beside `usewatch.feed`; the agent answers with `usewatch.feed` only, never
 * echoing the token. Browser-safe (no Node modules): the web page encodes with the same code.
 */
export const FEED_SUBPROTOCOL = 'usewatch.feed';
const TOKEN_PREFIX = 'usewatch.token.';

/** A token as a subprotocol: base64url of its UTF-8 bytes, every character of which a subprotocol name may hold. */
export function tokenSubprotocol(token: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(token)) binary += String.fromCharCode(byte);
  return TOKEN_PREFIX + btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The token of a `Sec-WebSocket-Protocol` header value, or undefined when it offers none (or a malformed one). */
export function tokenFromSubprotocols(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const offered of header.split(',')) {
    const name = offered.trim();
    if (!name.startsWith(TOKEN_PREFIX)) continue;
    const encoded = name.slice(TOKEN_PREFIX.length);
    if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
    try {
      const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
      const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The subprotocol the agent selects: the feed's when offered, else none (a client that offered only others gets none). */
export function selectSubprotocol(offered: ReadonlySet<string>): string | false {
  return offered.has(FEED_SUBPROTOCOL) ? FEED_SUBPROTOCOL : false;
}
