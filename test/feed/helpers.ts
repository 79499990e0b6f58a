import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { createFeedServer, type FeedServer, type FeedServerOptions } from '../../src/feed/server.js';
import { FRAME_SCHEMA, type Frame, type ProcessEntry } from '../../src/model/frame.js';
import { FrameBus } from '../../src/pipeline/bus.js';

export const TOKEN = 's3cret-token';

export function processEntry(pid: number, cmdBytes = 20): ProcessEntry {
  return {
    pid,
    name: `proc${pid}`,
    cmd: `/usr/bin/proc${pid} ${'x'.repeat(cmdBytes)}`,
    user: 'root',
    state: 'S',
    cpu: 0.01,
    rssBytes: 1_000_000 + pid,
    threads: 1,
  };
}

/** A small valid frame; `processes` pads it when a test needs volume. */
export function frame(seq: number, processes = 1, ts = Date.now()): Frame {
  return {
    schema: FRAME_SCHEMA,
    seq,
    ts,
    intervalMs: 1000,
    host: { hostname: 'test-host', kernel: '6.1.0', cpus: 2, agentVersion: '0.1.0' },
    metrics: { 'cpu.utilization': { '': 0.25, cpu0: 0.2, cpu1: 0.3 } },
    use: [
      { resource: 'cpu', instance: '', dimension: 'utilization', status: 'ok', metric: 'cpu.utilization', value: 0.25 },
    ],
    findings: [],
    events: [],
    processes: Array.from({ length: processes }, (_, i) => processEntry(100 + i)),
    kernelEvents: [],
    sources: [],
    self: { tickMs: 3, tickCpuMs: 2, collectors: [], skippedTicks: 0, rssBytes: 50_000_000 },
    counters: { load: { load1: 0.5, load5: 0.4, load15: 0.3 } },
  };
}

export interface Harness {
  bus: FrameBus;
  feed: FeedServer;
  http: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A bare HTTP server on 127.0.0.1 whose upgrade event goes to a feed server, as the agent's will. */
export async function startFeed(
  overrides: Partial<FeedServerOptions> = {},
  bus = new FrameBus(120),
  port = 0,
): Promise<Harness> {
  const feed = createFeedServer({
    bus,
    hello: () => ({
      host: 'test-host',
      agentVersion: '0.1.0',
      intervalMs: 1000,
      checklist: ['cpu.saturation.runqueue'],
    }),
    auth: { requireToken: false, allowedOrigins: ['https://dash.example.org'] },
    ...overrides,
  });
  const http = createServer((_req, res) => res.writeHead(404).end());
  http.on('upgrade', (req, socket, head) => feed.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const actual = (http.address() as AddressInfo).port;
  return {
    bus,
    feed,
    http,
    port: actual,
    url: `ws://127.0.0.1:${actual}/feed`,
    async close() {
      await feed.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export type Message = { type: string; [k: string]: unknown };

/** A raw ws client that records every message and close, so tests can await them in order. */
export class Peer {
  readonly messages: Message[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as Message);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {});
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<Peer> {
    const peer = new Peer(new WebSocket(url, { headers }));
    await new Promise<void>((resolve, reject) => {
      peer.ws.once('open', () => resolve());
      peer.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      peer.ws.once('error', reject);
    });
    return peer;
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Resolves when `predicate` holds over what was received so far; fails after `timeoutMs`. */
  until(predicate: (p: Peer) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => m.type))}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  frames(): Message[] {
    return this.messages.filter((m) => m.type === 'frame');
  }

  seqs(): number[] {
    return this.frames().map((m) => m.seq as number);
  }

  untilFrames(n: number): Promise<void> {
    return this.until((p) => p.frames().length >= n, `${n} frames`);
  }

  untilClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    return this.until((p) => p.closed !== undefined, 'close', timeoutMs).then(() => this.closed!);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** The HTTP status a refused handshake gets. */
export function handshakeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      ws.terminate();
      reject(new Error('handshake was accepted'));
    });
    ws.on('error', () => {});
  });
}

/**
 * A WebSocket handshake done by hand over a plain TCP socket: the peer then behaves as the test
 * wants (never reads, or reads and never answers pings), which no WebSocket library allows. It comes
 * back paused.
 */
export function rawHandshake(port: number, path = '/feed'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      // What came after the handshake answer (hello, frames) is the test's to read: nothing flows
      // until it attaches a reader and resumes.
      socket.pause();
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      if (rest.length > 0) socket.unshift(rest);
      if (head.startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(
      [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });
}
