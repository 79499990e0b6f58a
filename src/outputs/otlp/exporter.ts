import { hostname } from 'node:os';
import type { OtlpExportSettings } from '../../config/otel-env.js';
import type { Frame } from '../../model/frame.js';
import { VERSION } from '../../version.js';
import { INSTRUMENTS, observeFrame } from './host-observations.js';

export interface OtlpOptions extends OtlpExportSettings {
  /** container.* metrics of the carried cgroups; on unless false. */
  cgroups?: boolean;
  /** The frame to report: read at export time, never pushed per tick. */
  latest: () => Frame | undefined;
  onError?: (message: string) => void;
}

type ExporterConfig = NonNullable<
  ConstructorParameters<typeof import('@opentelemetry/exporter-metrics-otlp-http').OTLPMetricExporter>[0]
>;

export interface OtlpStats {
  exports: number;
  failures: number;
  /** Collections dropped because the previous export was still in flight (the queue holds one). */
  dropped: number;
}

export interface OtlpExport {
  stats(): OtlpStats;
  /** Exports once more and stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OTLP metrics export. Every OpenTelemetry module is imported here, lazily, so an agent
 * without OTLP configured loads none of them. Exports run on the reader's own timer, off the tick
 * path; an unreachable or slow collector only costs failed or dropped exports, counted in stats.
 */
export async function startOtlpExport(opts: OtlpOptions): Promise<OtlpExport> {
  const [{ MeterProvider, PeriodicExportingMetricReader, AggregationTemporality }, { resourceFromAttributes }] =
    await Promise.all([import('@opentelemetry/sdk-metrics'), import('@opentelemetry/resources')]);
  const exporterModule =
    opts.protocol === 'grpc'
      ? await import('@opentelemetry/exporter-metrics-otlp-grpc')
      : opts.protocol === 'http/protobuf'
        ? await import('@opentelemetry/exporter-metrics-otlp-proto')
        : await import('@opentelemetry/exporter-metrics-otlp-http');
  const { timeoutMs } = opts;
  const inner = new exporterModule.OTLPMetricExporter({
    url: opts.url,
    headers: opts.headers,
    timeoutMillis: timeoutMs,
    // The exporters take their CompressionAlgorithm enum, whose values are these same strings.
    compression: opts.compression as ExporterConfig['compression'],
    temporalityPreference: AggregationTemporality.CUMULATIVE,
  });
  const { SingleFlightExporter } = await import('./single-flight.js');
  const exporter = new SingleFlightExporter(inner, opts.onError ?? (() => {}));
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: opts.intervalMs,
    exportTimeoutMillis: timeoutMs,
  });
  const provider = new MeterProvider({
    // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME may name the service and add attributes; the
    // version and host name are the agent's own.
    resource: resourceFromAttributes({
      'service.name': 'usewatch',
      ...opts.resource,
      'service.version': VERSION,
      'host.name': hostname(),
    }),
    readers: [reader],
  });
  const meter = provider.getMeter('usewatch', VERSION);
  const instruments = new Map(
    INSTRUMENTS.map((def) => {
      const options = { unit: def.unit, description: def.description };
      const instrument =
        def.kind === 'counter'
          ? meter.createObservableCounter(def.name, options)
          : def.kind === 'updown'
            ? meter.createObservableUpDownCounter(def.name, options)
            : meter.createObservableGauge(def.name, options);
      return [def.name, instrument] as const;
    }),
  );
  meter.addBatchObservableCallback(
    (result) => {
      const frame = opts.latest();
      if (!frame) return;
      for (const o of observeFrame(frame, { cgroups: opts.cgroups })) {
        const instrument = instruments.get(o.name);
        if (instrument) result.observe(instrument, o.value, o.attributes);
      }
    },
    [...instruments.values()],
  );
  return {
    stats: () => exporter.stats(),
    shutdown: () => provider.shutdown(),
  };
}
