import { Agent, get } from 'node:http';

/** What Prometheus 2 sends when it scrapes a target: OpenMetrics first, and gzip. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** One connection per target kept between scrapes, as Prometheus keeps it, or a new one each time. */
export type ConnectionMode = 'keep-alive' | 'new';

const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/** Scrapes `url` as Prometheus would and resolves with the body's bytes as they came over the wire. */
export function scrapeBytes(url: string, mode: ConnectionMode, gzip = true): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: PROMETHEUS_ACCEPT };
    if (gzip) headers['accept-encoding'] = 'gzip';
    get(url, { agent: mode === 'keep-alive' ? keepAlive : false, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () =>
        res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: HTTP ${res.statusCode}`)),
      );
    }).on('error', reject);
  });
}

/**
 * Scrapes every target once a second, on the second counted from `startedAt` (performance.now()
 * ms), until `untilS` seconds after it; `onSecond` runs after each round (RSS sampling). The
 * requests of a round go out together, in an order that turns by one each second, so that no target
 * is always asked first.
 */
export async function scrapeUntil(
  targets: string[],
  mode: ConnectionMode,
  startedAt: number,
  untilS: number,
  onSecond?: (atS: number) => void,
): Promise<void> {
  for (let atS = (performance.now() - startedAt) / 1000; atS < untilS; atS = (performance.now() - startedAt) / 1000) {
    const turn = Math.floor(atS) % targets.length;
    await Promise.all([...targets.slice(turn), ...targets.slice(0, turn)].map((url) => scrapeBytes(url, mode)));
    onSecond?.(atS);
    const untilNext = 1000 - ((performance.now() - startedAt) % 1000);
    await new Promise((r) => setTimeout(r, Math.min(untilNext, untilS * 1000 - (performance.now() - startedAt))));
  }
}
