import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/**
 * Clients that misbehave as an attacker on the same host would: they write as fast as the agent
 * accepts and never read what it answers. Shared by the bench (RSS growth under each flood) and the
 * end-to-end suite of hostile clients.
 */

/** VmRSS of a process in MB, or undefined once it is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** User and system CPU time a process has used, in seconds (clock ticks of 1/100 s, as on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A raw TCP connection to an http://host:port URL, optionally from a given local address. */
export function openSocket(url: string, localAddress?: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: hostname, port: Number(port), localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

/** A masked client text frame (RFC 6455 §5.3: clients must mask). */
export function maskedTextFrame(payload: string): Buffer {
  return maskedFrame(0x1, Buffer.from(payload));
}

/** A final, masked client frame with the given opcode (0x1 text, 0xA pong…), payload up to 125 bytes. */
export function maskedFrame(opcode: number, data: Buffer): Buffer {
  if (data.length > 125) throw new Error('maskedFrame: payloads up to 125 bytes only');
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + data.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | data.length;
  mask.copy(frame, 2);
  for (let i = 0; i < data.length; i++) frame[6 + i] = data[i] ^ mask[i % 4];
  return frame;
}

/**
 * Writes `chunk` again and again for `ms`, waiting for 'drain' when the socket is full; never reads.
 * `closedByPeer`: the agent cut the connection before the time was up (the next write failed).
 */
export function writeFlood(
  socket: Socket,
  chunk: Buffer,
  ms: number,
): Promise<{ bytes: number; closedByPeer: boolean }> {
  return new Promise((resolve) => {
    const until = Date.now() + ms;
    let bytes = 0;
    let done = false;
    const finish = (closedByPeer: boolean) => {
      if (done) return;
      done = true;
      resolve({ bytes, closedByPeer });
    };
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    const pump = () => {
      while (!done && !socket.destroyed && Date.now() < until) {
        bytes += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      finish(false);
    };
    // A peer that stops reading never drains: the deadline still ends the flood.
    setTimeout(() => finish(false), ms + 100).unref();
    pump();
  });
}

/**
 * Opens /feed with a hand-made handshake and floods `{"type":"ping"}` messages (or `opts.frame`, an
 * unrequested pong say) for `ms` without ever reading the socket (not even the handshake answer). Resolves with the bytes written and whether the
 * agent closed the connection.
 */
export async function pingFlood(
  url: string,
  ms: number,
  opts: { token?: string; frame?: Buffer } = {},
): Promise<{ bytes: number; closedByAgent: boolean }> {
  const socket = await openSocket(url);
  socket.pause();
  const { host } = new URL(url);
  socket.write(
    `GET /feed?backfill=0 HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      (opts.token ? `Authorization: Bearer ${opts.token}\r\n` : '') +
      '\r\n',
  );
  const ping = opts.frame ?? maskedTextFrame('{"type":"ping"}');
  const chunk = Buffer.concat(Array.from({ length: 4096 }, () => ping));
  const { bytes, closedByPeer } = await writeFlood(socket, chunk, ms);
  socket.destroy();
  return { bytes, closedByAgent: closedByPeer };
}

/**
 * Pipelines `GET path` on `connections` connections for `ms` without reading any response.
 * Resolves with the requests written and how many connections the agent closed.
 */
export async function pipelineFlood(
  url: string,
  path: string,
  ms: number,
  connections = 1,
): Promise<{ requests: number; closedByAgent: number }> {
  const { host } = new URL(url);
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  const perChunk = 1000;
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => request));
  const sockets = await Promise.all(Array.from({ length: connections }, () => openSocket(url)));
  for (const s of sockets) s.pause();
  const written = await Promise.all(sockets.map((s) => writeFlood(s, chunk, ms)));
  for (const s of sockets) s.destroy();
  return {
    requests: written.reduce((n, w) => n + w.bytes / request.length, 0),
    closedByAgent: written.filter((w) => w.closedByPeer).length,
  };
}

/** Samples a process's RSS every 100 ms while `work` runs; the peak growth over `baseline` in MB. */
export async function peakRssGrowth(pid: number, baseline: number, work: Promise<unknown>): Promise<number> {
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid) ?? 0);
  }, 100);
  try {
    await work;
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, rssMb(pid) ?? 0);
  return peak - baseline;
}
