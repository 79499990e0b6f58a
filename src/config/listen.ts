import { DEFAULT_PORT } from './defaults.js';

export interface ListenAddress {
  host: string;
  port: number;
}

const LISTEN_V6 = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/;
const LISTEN_NAME = /^([^:\s[\]]+):(\d{1,5})$/;

/** "127.0.0.1:9733", "[::1]:9733", "0.0.0.0:9733", "localhost:9733"; port 0 picks a free port. */
export function parseListen(text: string): ListenAddress | string {
  const m = LISTEN_V6.exec(text) ?? LISTEN_NAME.exec(text);
  if (!m) return `expected HOST:PORT such as "127.0.0.1:${DEFAULT_PORT}" or "[::1]:${DEFAULT_PORT}", got "${text}"`;
  const port = Number(m[2]);
  if (port > 65_535) return `port ${port} is out of range (0-65535)`;
  return { host: m[1], port };
}
