import { WebSocket } from 'ws';
import type { Frame, HostInfo, SelfStats } from '../model/frame.js';
import type { ConnectionState, ViewSource } from '../model/source.js';
import {
  FRAME_SECTIONS,
  type FrameSection,
  type HelloMessage,
  parseServerMessage,
  type WireFrame,
} from './protocol.js';

export interface ConnectFeedOptions {
  /** Sent as `Authorization: Bearer`, never in the URL (which ends up in logs and process lists). */
  token?: string;
  /** PEM of the CA that signed a wss:// agent's certificate, trusted instead of the system's CAs. */
  ca?: string;
  /** Receive only these frame sections; the others are filled with empty values. */
  sections?: FrameSection[];
  /** The WebSocket class (ws's API); tests inject one. */
  WebSocketImpl?: typeof WebSocket;
  /** Reconnect backoff: doubles from `initialMs` up to `maxMs`, with jitter. */
  backoff?: { initialMs: number; maxMs: number };
  /** Silence (no frame, no ping) after which the connection is presumed dead and replaced. */
  idleTimeoutMs?: number;
  /** Frames held for a consumer that reads slower than the feed; the oldest go first. */
  maxQueuedFrames?: number;
  signal?: AbortSignal;
}

/** The agent refused us for a reason retrying cannot fix (bad token, Origin, request). */
export class FeedRefusedError extends Error {
  override name = 'FeedRefusedError';
}

const DEFAULT_BACKOFF = { initialMs: 250, maxMs: 10_000 };

/** `ws://host:9733` → `ws://host:9733/feed`; anything but ws: or wss: is an error naming the URL. */
export function feedUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error(`not a feed URL: "${input}" (expected ws://HOST:PORT/feed)`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`not a feed URL: "${input}" (expected ws:// or wss://)`);
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/feed';
  return url;
}

/**
 * A remote agent's frames as a ViewSource. Connects when iteration starts; on a lost connection it
 * reconnects with backoff and resumes with `?since=<last seq>`, dropping any frame it already
 * yielded, so no frame is shown twice; frames the agent no longer holds are reported as a `gap` in
 * the state detail. Ending the iteration (or the signal) closes the connection.
 */
export function connectFeed(url: string, opts: ConnectFeedOptions = {}): ViewSource {
  const base = feedUrl(url);
  const label = base.toString();
  const listeners: ((state: ConnectionState, detail?: string) => void)[] = [];
  let state: ConnectionState = 'connecting';
  let detail: string | undefined;

  function setState(next: ConnectionState, why?: string): void {
    state = next;
    detail = why;
    for (const l of listeners) l(next, why);
  }

  const frames: AsyncIterable<Frame> = {
    [Symbol.asyncIterator]: () => new FeedSession(base, opts, setState),
  };
  return {
    kind: 'remote',
    label,
    frames,
    onState(listener) {
      listeners.push(listener);
      listener(state, detail);
    },
  };
}

type Waiter = { resolve: (r: IteratorResult<Frame>) => void; reject: (err: unknown) => void };

/** One iteration of a feed: the socket, the reconnect loop and the queue of frames not yet consumed. */
class FeedSession implements AsyncIterator<Frame> {
  private readonly queue: Frame[] = [];
  private waiter: Waiter | undefined;
  private ws: WebSocket | undefined;
  private lastSeq = -1;
  private stream: string | undefined;
  private hello: HelloMessage | undefined;
  private lastHost: HostInfo | undefined;
  private attempt = 0;
  private done = false;
  private failure: Error | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly WS: typeof WebSocket;
  private readonly onAbort = () => this.finish();

  constructor(
    private readonly base: URL,
    private readonly opts: ConnectFeedOptions,
    private readonly setState: (s: ConnectionState, detail?: string) => void,
  ) {
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.WS = opts.WebSocketImpl ?? WebSocket;
    if (opts.signal?.aborted) this.done = true;
    else {
      opts.signal?.addEventListener('abort', this.onAbort, { once: true });
      this.connect();
    }
  }

  next(): Promise<IteratorResult<Frame>> {
    const frame = this.queue.shift();
    if (frame) return Promise.resolve({ value: frame, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Frame>> {
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  private requestUrl(): string {
    const url = new URL(this.base);
    if (this.opts.sections) url.searchParams.set('sections', this.opts.sections.join(','));
    if (this.stream !== undefined && this.lastSeq >= 0) {
      url.searchParams.set('since', String(this.lastSeq));
      url.searchParams.set('stream', this.stream);
    }
    return url.toString();
  }

  private connect(): void {
    const headers: Record<string, string> = {};
    if (this.opts.token !== undefined) headers.authorization = `Bearer ${this.opts.token}`;
    const ws = new this.WS(this.requestUrl(), {
      headers,
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
      ...(this.opts.ca !== undefined && { ca: this.opts.ca }),
    });
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      this.touch();
      if (!isBinary) this.onMessage(data.toString());
    });
    ws.on('ping', () => this.touch());
    ws.on('unexpected-response', (_req, res) => {
      // From here the socket's own close and error events no longer speak for the connection.
      this.ws = undefined;
      const status = res.statusCode ?? 0;
      const body: Buffer[] = [];
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        ws.terminate();
        const reason = Buffer.concat(body).toString('utf8').trim().slice(0, 200);
        const what = `${status} ${res.statusMessage ?? ''}`.trim() + (reason ? `: ${reason}` : '');
        if (status >= 400 && status < 500 && status !== 429) {
          this.fail(new FeedRefusedError(`feed ${this.base} refused the connection: ${what}`));
        } else this.lost(`HTTP ${what}`);
      };
      res.on('data', (chunk: Buffer) => body.length < 4 && body.push(chunk));
      res.on('end', settle);
      res.on('close', settle);
      res.on('error', settle);
    });
    ws.on('close', (code, reason) => {
      if (this.ws === ws) this.lost(reason.length ? `closed ${code}: ${reason.toString()}` : `closed ${code}`);
    });
    ws.on('error', (err) => {
      if (this.ws === ws && ws.readyState !== WebSocket.OPEN) this.lost(err.message);
    });
  }

  private onMessage(text: string): void {
    const parsed = parseServerMessage(text);
    if (!parsed.ok) {
      this.setState(this.hello ? 'live' : 'connecting', `ignored a malformed message from the agent: ${parsed.error}`);
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'hello': {
        const restarted = this.stream !== undefined && message.stream !== this.stream;
        if (restarted) this.lastSeq = -1;
        this.stream = message.stream;
        this.hello = message;
        this.attempt = 0;
        this.setState('live', restarted ? 'the agent restarted: its sequence numbers start again' : undefined);
        return;
      }
      case 'gap':
        this.setState('live', `gap: frames ${message.from}–${message.to} were missed (no longer held by the agent)`);
        return;
      case 'frame':
        if (message.seq <= this.lastSeq) return; // already yielded before a reconnect
        this.lastSeq = message.seq;
        if (message.skipped) this.setState('live', `gap: ${message.skipped} frames skipped (this viewer fell behind)`);
        this.push(this.complete(message));
        return;
      case 'error':
        this.setState('live', `agent: ${message.message}`);
        return;
      case 'pong':
        return;
    }
  }

  /** A narrowed frame with the sections it lacks filled in empty, so views can take it as a Frame. */
  private complete(wire: WireFrame): Frame {
    if (wire.host) this.lastHost = wire.host;
    const { skipped: _skipped, type: _type, ...rest } = wire as WireFrame & { type?: string };
    if (this.opts.sections === undefined || this.opts.sections.length === FRAME_SECTIONS.length) return rest as Frame;
    const self: SelfStats = { tickMs: 0, tickCpuMs: 0, collectors: [], skippedTicks: 0, rssBytes: 0 };
    return {
      host: this.lastHost ?? {
        hostname: this.hello?.host ?? '',
        kernel: '',
        cpus: 0,
        agentVersion: this.hello?.agentVersion ?? '',
      },
      metrics: {},
      use: [],
      findings: [],
      events: [],
      processes: [],
      kernelEvents: [],
      sources: [],
      self,
      ...rest,
    };
  }

  private push(frame: Frame): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: frame, done: false });
      return;
    }
    this.queue.push(frame);
    if (this.queue.length > (this.opts.maxQueuedFrames ?? 300)) {
      const dropped = this.queue.shift();
      this.setState('live', `gap: frame ${dropped?.seq} dropped (the view is reading slower than the feed)`);
    }
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    const interval = this.hello?.intervalMs ?? 1000;
    const idle = this.opts.idleTimeoutMs ?? Math.max(5 * interval, 10_000);
    this.idleTimer = setTimeout(() => this.ws?.terminate(), idle);
    this.idleTimer.unref();
  }

  private lost(why: string): void {
    if (this.done || this.retryTimer) return;
    this.ws = undefined;
    this.hello = undefined;
    clearTimeout(this.idleTimer);
    const { initialMs, maxMs } = this.backoff;
    const delay = Math.min(maxMs, initialMs * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.setState('reconnecting', `${why}; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.done) this.connect();
    }, delay);
  }

  private fail(err: Error): void {
    this.failure = err;
    this.finish(err.message);
  }

  private finish(why?: string): void {
    if (this.done) return;
    this.done = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    clearTimeout(this.retryTimer);
    clearTimeout(this.idleTimer);
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState === WebSocket.OPEN) ws.close(1000, 'viewer closed');
    else ws?.terminate();
    this.setState('closed', why);
    const w = this.waiter;
    this.waiter = undefined;
    if (w && this.failure) w.reject(this.failure);
    else w?.resolve({ value: undefined, done: true });
  }
}
