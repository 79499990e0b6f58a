import { FEED_SUBPROTOCOL, tokenSubprotocol } from '../src/feed/subprotocol.js';
import type { ConnectionState } from '../src/model/source.js';
import { FeedCursor, type FeedEvent } from './resume.js';

/** The connection states of `top --connect`, and one more: the agent wants a token the page does not have. */
export type PageConnectionState = ConnectionState | 'token';

export interface ConnectionOptions {
  /** The token, read each time a connection opens (the viewer may have typed a new one). */
  token: () => string | undefined;
  onEvent: (event: FeedEvent) => void;
  onState: (state: PageConnectionState, detail?: string) => void;
}

const BACKOFF = { initialMs: 250, maxMs: 10_000 };

/**
 * The page's feed connection, as `top --connect` keeps one: reconnects with backoff (250 ms doubling
 * to 10 s, with jitter) and resumes by seq; a connection silent for five intervals (at least 10 s)
 * is replaced. The token goes as a WebSocket subprotocol, never in the URL. A browser is not told
 * why a handshake failed, so a failure before the hello asks /healthz: an agent that answers it but
 * refused the feed wants a (valid) token.
 */
export class FeedConnection {
  private readonly cursor = new FeedCursor();
  private ws: WebSocket | undefined;
  private attempt = 0;
  private intervalMs = 1000;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the open connection last received a message (performance.now()). */
  private heardAt = 0;

  constructor(private readonly opts: ConnectionOptions) {}

  connect(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.ws?.close();
    const token = this.opts.token();
    const protocols = token ? [FEED_SUBPROTOCOL, tokenSubprotocol(token)] : [FEED_SUBPROTOCOL];
    const ws = new WebSocket(this.cursor.feedUrl(location), protocols);
    this.ws = ws;
    let opened = false;
    this.opts.onState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    ws.onopen = () => {
      opened = true;
      this.heardAt = performance.now();
      this.watchSilence(ws);
    };
    ws.onmessage = (e) => {
      if (this.ws !== ws || typeof e.data !== 'string') return;
      this.heardAt = performance.now();
      const event = this.cursor.receive(e.data);
      if (event.kind === 'hello') {
        this.attempt = 0;
        this.intervalMs = event.intervalMs;
        this.opts.onState(
          'live',
          event.restarted ? 'the agent restarted: its sequence numbers start again' : undefined,
        );
      }
      this.opts.onEvent(event);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      clearTimeout(this.idleTimer);
      const why = e.reason ? `closed ${e.code}: ${e.reason}` : `closed ${e.code}`;
      // Past the handshake (a close before the hello is a client cap: 1013), retrying is right.
      if (opened) this.retry(why);
      else void this.refusedOrDown(why);
    };
  }

  /** Closes for good (the viewer asked); `connect` starts again. */
  close(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.idleTimer);
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(1000, 'viewer closed');
    this.opts.onState('closed', 'disconnected by the viewer');
  }

  private async refusedOrDown(why: string): Promise<void> {
    let agentUp = false;
    try {
      agentUp = (await fetch('/healthz', { cache: 'no-store' })).status > 0;
    } catch {
      agentUp = false;
    }
    if (this.ws !== undefined) return;
    if (agentUp) {
      const had = this.opts.token() !== undefined;
      const origin = "(or does not allow this page's origin: see feed.allowed_origins)";
      this.opts.onState(
        'token',
        had ? `the agent refused the token ${origin}` : `the agent asks for a token ${origin}`,
      );
    } else this.retry(`${why}: the agent does not answer`);
  }

  private retry(why: string): void {
    const delay = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.opts.onState('reconnecting', `${why}; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /**
   * Closes the connection once it has been silent for five intervals (at least 10 s). One timer
   * looks at the time of the last message when it fires and sets itself again for the rest of the
   * window: no timer is cleared and set again for every message.
   */
  private watchSilence(ws: WebSocket): void {
    const limit = Math.max(5 * this.intervalMs, 10_000);
    const silent = performance.now() - this.heardAt;
    if (this.ws !== ws) return;
    if (silent >= limit) return void ws.close(4000, 'silent');
    this.idleTimer = setTimeout(() => this.watchSilence(ws), limit - silent);
  }
}
