import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/**
 * The demo's OpenTelemetry metrics SDK, read by Prometheus. It installs
 * itself as the global MeterProvider as the app is assembled, before the hubs
 * are served (they create their instruments then), as an app's own
 * instrumentation file would.
 */
@Injectable()
export class MetricsService implements OnApplicationShutdown {
  private readonly exporter = new PrometheusExporter({ preventServerStart: true });
  private readonly provider = new MeterProvider({ readers: [this.exporter] });
  private readonly serializer = new PrometheusSerializer();

  constructor() {
    // Another demo app in the same process (the tests run several) gets its own provider.
    metrics.disable();
    metrics.setGlobalMeterProvider(this.provider);
  }

  /** Every metric now, in Prometheus' text format. */
  async scrape(): Promise<string> {
    const { resourceMetrics } = await this.exporter.collect();
    return this.serializer.serialize(resourceMetrics);
  }

  async onApplicationShutdown(): Promise<void> {
    if (metrics.getMeterProvider() === this.provider) metrics.disable();
    await this.provider.shutdown();
  }
}
