import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createLogger } from '../../src/log/logger.js';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request on a fresh connection (no keep-alive), with full control of the headers. */
export function get(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        agent: false,
        localAddress: opts.localAddress,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A raw TCP connection: for malformed, oversized and slow requests. */
export function rawConnect(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or the wait ends). */
export function readUntilClose(s: Socket, waitMs: number): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (c) => {
      data += c;
    });
    s.on('error', () => {});
    const timer = setTimeout(() => resolve({ data, closed: false }), waitMs);
    s.once('close', () => {
      clearTimeout(timer);
      resolve({ data, closed: true });
    });
  });
}

export function silentLogger() {
  return createLogger({ level: 'silent', format: 'json' });
}

/** A logger keeping its JSON records, to assert on what was logged. */
export function recordingLogger(level: 'debug' | 'info' = 'info') {
  const records: Record<string, unknown>[] = [];
  const log = createLogger({ level, format: 'json', write: (line) => records.push(JSON.parse(line)) });
  return { log, records };
}
