import { request as httpRequest } from 'node:http';
import { DIMENSIONS } from '../model/frame.js';
import type { FleetResponses, VectorSample } from './model.js';

/** Credentials and trust for Prometheus, each read from a file by the command. */
export interface PrometheusAuth {
  token?: string;
  /** `user:password`. */
  basic?: string;
  /** PEM of the CA that signed Prometheus' certificate, trusted instead of the system's CAs. */
  ca?: string;
}

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

/** The finding series one refresh reads, in one query: name matcher plus the user's selector. */
const FINDING_SERIES = 'usewatch_finding_active|usewatch_finding_severity|usewatch_finding_info';
const REQUEST_TIMEOUT_MS = 10_000;
/** A response larger than this is refused rather than held: some 40 times what 1,000 hosts answer. */
const MAX_RESPONSE_CHARS = 256 * 1024 * 1024;

/** The matchers inside `{…}`, checked enough to give a clear error before Prometheus gives a vaguer one. */
export function selectorMatchers(selector: string): string {
  const trimmed = selector.trim();
  if (trimmed === '') return '';
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}'))
    throw new Error(`--selector ${selector}: expected label matchers in braces, e.g. {job="usewatch"}`);
  const inner = trimmed.slice(1, -1).trim();
  if (/(^|[\s,{])__name__\s*[=!]/.test(inner))
    throw new Error(`--selector ${selector}: the metric name is chosen by usewatch fleet; match labels only`);
  return inner;
}

/**
 * A cell's status as a rank digit: ok 1, unknown 2, warning 3, critical 5 (0 is left for "no
 * cell"), from `usewatch_use_status` (0 ok, 1 warning, 2 critical, 3 unknown), so that `max`
 * ranks unknown between ok and warning.
 */
function rank(status: string): string {
  return `(${status} % 3 * 2 + 1 + (${status} == bool 3))`;
}

/**
 * The three instant queries of a refresh, whatever the number of hosts. Prometheus reduces the
 * cells to one series per host and resource whose value holds the worst rank of each dimension as
 * a decimal digit (utilization × 1, saturation × 10, errors × 100; `decodeRow` in model.ts): about
 * 9 series per host instead of 25 raw ones, a third of the bytes to fetch, parse and collect.
 */
export function fleetQueries(selector: string): { cells: string; findings: string; up: string } {
  const inner = selectorMatchers(selector);
  const sep = inner === '' ? '' : ',';
  const digits = DIMENSIONS.map((dimension, i) => {
    const worst = `max by (job, instance, resource, dimension) (${rank(`usewatch_use_status{${inner}${sep}dimension="${dimension}"}`)})`;
    return i === 0 ? worst : `${10 ** i} * ${worst}`;
  });
  return {
    cells: `sum by (job, instance, resource) (${digits.join(' or ')})`,
    findings: `{__name__=~"${FINDING_SERIES}"${sep}${inner}}`,
    up: `up{${inner}}`,
  };
}

/** Reads Prometheus' HTTP API: instant queries and the scrape targets. */
export class PrometheusClient {
  readonly base: URL;

  constructor(
    url: string,
    private readonly auth: PrometheusAuth = {},
  ) {
    try {
      this.base = new URL(url);
    } catch {
      throw new Error(`--prometheus ${url}: not a URL (expected http://HOST:9090)`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:')
      throw new Error(`--prometheus ${url}: expected an http:// or https:// URL`);
    if (!this.base.pathname.endsWith('/')) this.base.pathname += '/';
  }

  /** An instant query's vector result. */
  async query(expr: string): Promise<VectorSample[]> {
    const data = (await this.get('api/v1/query', { query: expr })) as { resultType?: string; result?: unknown };
    if (data.resultType !== 'vector' || !Array.isArray(data.result))
      throw new PrometheusError(`Prometheus at ${this.base}: ${expr} did not return a vector`);
    return data.result as VectorSample[];
  }

  /** One refresh's responses, in three instant queries. */
  async readFleet(selector: string): Promise<FleetResponses> {
    const q = fleetQueries(selector);
    const [cells, findings, up] = await Promise.all([this.query(q.cells), this.query(q.findings), this.query(q.up)]);
    return { cells, findings, up };
  }

  /** The scrape interval of the active targets among `instances`, the shortest when they differ. */
  async scrapeIntervalMs(instances: ReadonlySet<string>): Promise<number | undefined> {
    const data = (await this.get('api/v1/targets', { state: 'active' })) as {
      activeTargets?: { labels?: Record<string, string>; scrapeInterval?: string }[];
    };
    let shortest: number | undefined;
    for (const t of data.activeTargets ?? []) {
      if (!instances.has(t.labels?.instance ?? '')) continue;
      const ms = prometheusDurationMs(t.scrapeInterval ?? '');
      if (ms !== undefined && (shortest === undefined || ms < shortest)) shortest = ms;
    }
    return shortest;
  }

  private headers(): Record<string, string> {
    if (this.auth.token !== undefined) return { authorization: `Bearer ${this.auth.token}` };
    if (this.auth.basic !== undefined)
      return { authorization: `Basic ${Buffer.from(this.auth.basic).toString('base64')}` };
    return {};
  }

  private async get(path: string, params: Record<string, string>): Promise<unknown> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const { status, body } = await this.fetch(url);
    let parsed: { status?: string; data?: unknown; error?: string };
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new PrometheusError(`Prometheus at ${this.base}: ${path} answered ${status} with no JSON`);
    }
    if (parsed.status !== 'success')
      throw new PrometheusError(`Prometheus at ${this.base}: ${path} answered ${status}: ${parsed.error ?? body}`);
    return parsed.data;
  }

  private async fetch(url: URL): Promise<{ status: number; body: string }> {
    // TLS is loaded only for an https:// Prometheus: OpenSSL's tables are a megabyte of RSS.
    const request = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
    return new Promise((resolve, reject) => {
      const fail = (why: string) => reject(new PrometheusError(`cannot reach Prometheus at ${this.base}: ${why}`));
      const req = request(url, { headers: this.headers(), ca: this.auth.ca, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        // Appended as text: one copy of a response of megabytes less than joining its buffers first.
        res.setEncoding('utf8');
        let body = '';
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > MAX_RESPONSE_CHARS) {
            req.destroy();
            fail(`the response passed ${MAX_RESPONSE_CHARS} characters`);
          }
        });
        res.on('end', () => {
          if (res.statusCode === 401 || res.statusCode === 403)
            fail(`${res.statusCode} ${res.statusMessage ?? ''}: check the token or basic auth file`.trim());
          else resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', (err) => fail(err.message));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ? `${err.code} ${err.message}` : err.message));
      req.end();
    });
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Prometheus' own durations as its API writes them: `15s`, `1m30s`, `500ms`. */
export function prometheusDurationMs(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]], 0);
}
