import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { OtlpStats } from './exporter.js';

type ExportResult = Parameters<Parameters<PushMetricExporter['export']>[1]>[0];

const SUCCESS = 0; // ExportResultCode.SUCCESS
const FAILED = 1; // ExportResultCode.FAILED

/**
 * Wraps the OTLP exporter so that at most one export is in flight: with cumulative temporality the
 * next collection carries everything a dropped one had, so a slow collector costs a skipped export,
 * never a growing queue of payloads in memory.
 */
export class SingleFlightExporter implements PushMetricExporter {
  private inFlight = false;
  private readonly counts: OtlpStats = { exports: 0, failures: 0, dropped: 0 };
  readonly selectAggregationTemporality: PushMetricExporter['selectAggregationTemporality'];
  readonly selectAggregation: PushMetricExporter['selectAggregation'];

  constructor(
    private readonly inner: PushMetricExporter,
    private readonly onError: (message: string) => void,
  ) {
    this.selectAggregationTemporality = inner.selectAggregationTemporality?.bind(inner);
    this.selectAggregation = inner.selectAggregation?.bind(inner);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.inFlight) {
      this.counts.dropped++;
      resultCallback({ code: FAILED, error: new Error('previous OTLP export still in flight: dropped') });
      return;
    }
    this.inFlight = true;
    this.inner.export(metrics, (result) => {
      this.inFlight = false;
      if (result.code === SUCCESS) this.counts.exports++;
      else {
        this.counts.failures++;
        this.onError(`OTLP export failed: ${result.error?.message ?? 'unknown error'}`);
      }
      resultCallback(result);
    });
  }

  stats(): OtlpStats {
    return { ...this.counts };
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
