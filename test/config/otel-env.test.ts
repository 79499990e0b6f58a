import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { metricsUrl, parseKeyValueList, resolveOtlpExport } from '../../src/config/otel-env.js';

const NONE = '/nonexistent/usewatch/config.yaml';
const NO_OTLP = { headers: {} };

function resolve(env: NodeJS.ProcessEnv, otlp: Parameters<typeof resolveOtlpExport>[0] = NO_OTLP) {
  const problems: string[] = [];
  const settings = resolveOtlpExport(otlp, env, problems);
  return { settings, problems };
}

describe('the metrics URL of a base endpoint (OpenTelemetry specification, OTLP exporter configuration)', () => {
  test.each([
    ['http://collector:4318', 'http://collector:4318/v1/metrics'],
    ['http://collector:4318/', 'http://collector:4318/v1/metrics'],
    ['https://gw.example/otlp/', 'https://gw.example/otlp/v1/metrics'],
    ['http://collector:4318/v1/metrics', 'http://collector:4318/v1/metrics/v1/metrics'],
  ])('OTEL_EXPORTER_OTLP_ENDPOINT=%s → %s', (base, url) => {
    expect(metricsUrl(base, 'http/protobuf', false)).toBe(url);
  });

  test('a usewatch endpoint that already names /v1/metrics is kept; gRPC takes the endpoint as is', () => {
    expect(metricsUrl('http://collector:4318/v1/metrics', 'http/json', true)).toBe('http://collector:4318/v1/metrics');
    expect(metricsUrl('http://collector:4318', 'http/json', true)).toBe('http://collector:4318/v1/metrics');
    expect(metricsUrl('http://collector:4317', 'grpc', true)).toBe('http://collector:4317');
  });
});

describe('usewatch settings over the standard OTEL_* variables', () => {
  test('nothing set anywhere: no export', () => {
    expect(resolve({})).toEqual({ settings: undefined, problems: [] });
  });

  test('OTEL_EXPORTER_OTLP_ENDPOINT alone turns the export on, with the defaults', () => {
    expect(resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).settings).toEqual({
      url: 'http://c:4318/v1/metrics',
      protocol: 'http/protobuf',
      headers: {},
      intervalMs: 10_000,
      timeoutMs: 10_000,
      compression: 'none',
      resource: {},
    });
  });

  test('the metrics-specific variables are used as they are and win over the general ones', () => {
    const { settings } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://general:4318',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics:4318/custom/path',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
      OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '2500',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=general,b=general',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'b=metrics',
      OTEL_METRIC_EXPORT_INTERVAL: '30000',
    });
    expect(settings).toMatchObject({
      url: 'http://metrics:4318/custom/path',
      protocol: 'http/json',
      timeoutMs: 2500,
      compression: 'gzip',
      headers: { a: 'general', b: 'metrics' },
      intervalMs: 30_000,
    });
  });

  test('usewatch’s own settings win, and its headers are laid over the variables’ key by key', () => {
    const { settings } = resolve(
      {
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics:4318/custom',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=env,x-extra=kept',
        OTEL_METRIC_EXPORT_INTERVAL: '30000',
      },
      {
        endpoint: 'http://mine:4318',
        protocol: 'http/json',
        headers: { 'x-tenant': 'mine' },
        interval: 2000,
        timeout: 1500,
        compression: 'none',
      },
    );
    expect(settings).toEqual({
      url: 'http://mine:4318/v1/metrics',
      protocol: 'http/json',
      headers: { 'x-tenant': 'mine', 'x-extra': 'kept' },
      intervalMs: 2000,
      timeoutMs: 1500,
      compression: 'none',
      resource: {},
    });
  });

  test('OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME, percent-decoded, the service name variable winning', () => {
    const { settings } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, k8s.node.name=node%2D1,service.name=ignored',
      OTEL_SERVICE_NAME: 'usewatch-edge',
    });
    expect(settings?.resource).toEqual({
      'deployment.environment': 'prod',
      'k8s.node.name': 'node-1',
      'service.name': 'usewatch-edge',
    });
  });

  test('bad values name their variable, and the other settings still resolve', () => {
    const { problems } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift',
      OTEL_EXPORTER_OTLP_TIMEOUT: '10s',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd',
      OTEL_METRIC_EXPORT_INTERVAL: '5',
      OTEL_RESOURCE_ATTRIBUTES: 'ok=1,broken,bad=%E0%A4%A',
    });
    expect(problems).toEqual([
      'environment OTEL_EXPORTER_OTLP_PROTOCOL: expected one of http/protobuf, http/json, grpc, got "thrift"',
      'environment OTEL_METRIC_EXPORT_INTERVAL: expected whole milliseconds between 1000 and 3600000, got "5"',
      'environment OTEL_EXPORTER_OTLP_TIMEOUT: expected whole milliseconds between 100 and 600000, got "10s"',
      'environment OTEL_EXPORTER_OTLP_COMPRESSION: expected one of gzip, none, got "zstd"',
      'environment OTEL_RESOURCE_ATTRIBUTES: expected key=value pairs separated by commas, got "broken"',
      'environment OTEL_RESOURCE_ATTRIBUTES: "bad=%E0%A4%A" is not valid percent-encoding',
    ]);
    expect(resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318 ' }).problems).toEqual([
      'environment OTEL_EXPORTER_OTLP_ENDPOINT: expected a URL such as http://collector:4318, got "collector:4318"',
    ]);
  });

  test('parseKeyValueList skips empty items', () => {
    expect(parseKeyValueList(' a=1 ,, b = two ', 'X', [])).toEqual({ a: '1', b: 'two' });
  });
});

describe('loadConfig', () => {
  test('resolves the export from the config layers and the environment', async () => {
    const { config } = await loadConfig({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', USEWATCH_OTLP_COMPRESSION: 'gzip' },
      flags: { '--otlp-protocol': 'http/json' },
      defaultFile: NONE,
    });
    expect(config.otlp_export).toMatchObject({
      url: 'http://c:4318/v1/metrics',
      protocol: 'http/json',
      compression: 'gzip',
    });
  });

  test('no endpoint anywhere: no export settings', async () => {
    const { config } = await loadConfig({ env: {}, defaultFile: NONE });
    expect(config.otlp_export).toBeUndefined();
  });

  test('a bad OTEL_* value stops the start, naming the variable', async () => {
    const err = await loadConfig({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'udp' },
      defaultFile: NONE,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'environment OTEL_EXPORTER_OTLP_PROTOCOL: expected one of http/protobuf, http/json, grpc, got "udp"',
    ]);
  });
});
