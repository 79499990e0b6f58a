import type { FileConfig } from './schema.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
export type OtlpCompression = 'gzip' | 'none';

/** The OTLP export as it will run: usewatch's settings over the standard OTEL_* variables. */
export interface OtlpExportSettings {
  /** The full URL exports go to (for HTTP, the /v1/metrics path included). */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  intervalMs: number;
  timeoutMs: number;
  compression: OtlpCompression;
  /** Resource attributes from OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME. */
  resource: Record<string, string>;
}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const COMPRESSIONS: readonly OtlpCompression[] = ['gzip', 'none'];
const METRICS_PATH = 'v1/metrics';
const DEFAULT_INTERVAL_MS = 10_000;
/** The same bounds as otlp.interval and a sane timeout; an OTEL_* value outside them is refused. */
const INTERVAL_BOUNDS = [1000, 3_600_000] as const;
const TIMEOUT_BOUNDS = [100, 600_000] as const;

/** The file's OTLP settings that OTEL_* variables complete; `cgroups` is usewatch's own and passes through. */
type Otlp = Omit<FileConfig['otlp'], 'cgroups'>;
type Env = NodeJS.ProcessEnv;

/**
 * The metrics URL of a base endpoint, as the OpenTelemetry specification builds it from
 * OTEL_EXPORTER_OTLP_ENDPOINT: for HTTP, `v1/metrics` appended to the base's path
 * (http://c:4318 → http://c:4318/v1/metrics, http://c:4318/otlp/ → http://c:4318/otlp/v1/metrics);
 * gRPC takes the endpoint as it is. A usewatch endpoint that already ends in /v1/metrics is taken as
 * it is too (`keepFullPath`), as configurations written before it was a base URL say.
 */
export function metricsUrl(base: string, protocol: OtlpProtocol, keepFullPath: boolean): string {
  if (protocol === 'grpc') return base;
  const url = new URL(base);
  if (keepFullPath && url.pathname.replace(/\/+$/, '').endsWith(`/${METRICS_PATH}`)) return base;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${METRICS_PATH}`;
  return url.toString();
}

/**
 * OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES: comma-separated key=value pairs,
 * percent-decoded, blanks around them trimmed (the W3C Baggage form the specification uses).
 */
export function parseKeyValueList(text: string, variable: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : decode(item.slice(0, eq).trim());
    if (key === undefined || key === '') {
      problems.push(`environment ${variable}: expected key=value pairs separated by commas, got "${item.trim()}"`);
      continue;
    }
    const value = decode(item.slice(eq + 1).trim());
    if (value === undefined) problems.push(`environment ${variable}: "${item.trim()}" is not valid percent-encoding`);
    else out[key] = value;
  }
  return out;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The metrics-specific variable when set, else the general one; with the name it came from. */
function otel(env: Env, suffix: string): { name: string; text: string } | undefined {
  for (const name of [`OTEL_EXPORTER_OTLP_METRICS_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
    const text = env[name]?.trim();
    if (text) return { name, text };
  }
  return undefined;
}

function oneOf<T extends string>(
  v: { name: string; text: string } | undefined,
  allowed: readonly T[],
  problems: string[],
) {
  if (v === undefined) return undefined;
  if ((allowed as readonly string[]).includes(v.text)) return v.text as T;
  problems.push(`environment ${v.name}: expected one of ${allowed.join(', ')}, got "${v.text}"`);
  return undefined;
}

function millis(name: string, text: string | undefined, [min, max]: readonly [number, number], problems: string[]) {
  if (text === undefined || text.trim() === '') return undefined;
  const ms = Number(text.trim());
  if (Number.isInteger(ms) && ms >= min && ms <= max) return ms;
  problems.push(`environment ${name}: expected whole milliseconds between ${min} and ${max}, got "${text}"`);
  return undefined;
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
}

/** Where exports go: usewatch's endpoint, else the metrics-specific URL as is, else the general base URL. */
function exportUrl(otlp: Otlp, env: Env, protocol: OtlpProtocol, problems: string[]): string | undefined {
  if (otlp.endpoint !== undefined) return metricsUrl(otlp.endpoint, protocol, true);
  for (const [name, asIs] of [
    ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', true],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', false],
  ] as const) {
    const text = env[name]?.trim();
    if (!text) continue;
    if (!isHttpUrl(text)) {
      problems.push(`environment ${name}: expected a URL such as http://collector:4318, got "${text}"`);
      return undefined;
    }
    return asIs ? text : metricsUrl(text, protocol, false);
  }
  return undefined;
}

/**
 * The OTLP export settings, or none when no endpoint is set anywhere. Each of usewatch's settings
 * (file, USEWATCH_* variables, flags) wins over the standard variable for the same thing;
 * usewatch's headers are laid over OTEL_EXPORTER_OTLP_HEADERS key by key. Problems name the variable.
 */
export function resolveOtlpExport(otlp: Otlp, env: Env, problems: string[]): OtlpExportSettings | undefined {
  const protocol = otlp.protocol ?? oneOf(otel(env, 'PROTOCOL'), PROTOCOLS, problems) ?? 'http/protobuf';
  const url = exportUrl(otlp, env, protocol, problems);
  const intervalMs =
    otlp.interval ??
    millis('OTEL_METRIC_EXPORT_INTERVAL', env.OTEL_METRIC_EXPORT_INTERVAL, INTERVAL_BOUNDS, problems) ??
    DEFAULT_INTERVAL_MS;
  const timeoutVar = otel(env, 'TIMEOUT');
  const timeoutMs =
    otlp.timeout ??
    (timeoutVar && millis(timeoutVar.name, timeoutVar.text, TIMEOUT_BOUNDS, problems)) ??
    Math.min(10_000, intervalMs);
  const compression = otlp.compression ?? oneOf(otel(env, 'COMPRESSION'), COMPRESSIONS, problems) ?? 'none';
  const headers: Record<string, string> = {};
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_METRICS_HEADERS']) {
    const text = env[name];
    if (text) Object.assign(headers, parseKeyValueList(text, name, problems));
  }
  Object.assign(headers, otlp.headers);
  const resource = env.OTEL_RESOURCE_ATTRIBUTES
    ? parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES', problems)
    : {};
  const serviceName = env.OTEL_SERVICE_NAME?.trim();
  if (serviceName) resource['service.name'] = serviceName;
  if (url === undefined) return undefined;
  return { url, protocol, headers, intervalMs, timeoutMs, compression, resource };
}
