import { type IHubProtocol, type HubMessage, MessageType } from '@microsoft/signalr';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** A reader the test collects from when it wants. */
class OnDemandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/**
 * An OpenTelemetry SDK installed globally, as an app would before it starts:
 * metrics read on demand, spans kept in memory, W3C trace context.
 */
export class InMemoryTelemetry {
  readonly spans = new InMemorySpanExporter();
  private readonly reader = new OnDemandReader();
  private readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  private readonly tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: this.spans })],
  });
  private readonly contextManager = new AsyncLocalStorageContextManager().enable();

  install(): this {
    metrics.setGlobalMeterProvider(this.meterProvider);
    trace.setGlobalTracerProvider(this.tracerProvider);
    context.setGlobalContextManager(this.contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    return this;
  }

  async uninstall(): Promise<void> {
    metrics.disable();
    trace.disable();
    context.disable();
    propagation.disable();
    await Promise.all([this.meterProvider.shutdown(), this.tracerProvider.shutdown()]);
  }

  /** Every metric of the nest-signalr meter, by name. */
  async collect(): Promise<Map<string, MetricData>> {
    const { resourceMetrics } = await this.reader.collect();
    const found = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) {
      if (scope.scope.name !== 'nest-signalr') continue;
      for (const metric of scope.metrics) found.set(metric.descriptor.name, metric);
    }
    return found;
  }

  /** The value of a sum (counter) at the point whose attributes are exactly `attributes`; 0 if none. */
  async sum(name: string, attributes: Record<string, string>): Promise<number> {
    const point = findPoint((await this.collect()).get(name), attributes);
    return (point?.value as number | undefined) ?? 0;
  }

  /** The histogram point whose attributes are exactly `attributes`. */
  async histogram(name: string, attributes: Record<string, string>): Promise<Histogram | undefined> {
    return findPoint((await this.collect()).get(name), attributes)?.value as Histogram | undefined;
  }
}

function findPoint(metric: MetricData | undefined, attributes: Record<string, string>): DataPoint<unknown> | undefined {
  const key = (entries: object) => JSON.stringify(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
  const wanted = key(attributes);
  return (metric?.dataPoints as DataPoint<unknown>[] | undefined)?.find((point) => key(point.attributes) === wanted);
}

/**
 * The official client's protocol, adding a `traceparent` header to every
 * invocation it writes, as a traced client would (the JavaScript client has
 * no hook of its own for invocation headers).
 */
export class TraceparentProtocol implements IHubProtocol {
  constructor(
    private readonly inner: IHubProtocol,
    private readonly traceparent: string,
  ) {}

  get name() {
    return this.inner.name;
  }
  get version() {
    return this.inner.version;
  }
  get transferFormat() {
    return this.inner.transferFormat;
  }

  parseMessages(input: string | ArrayBuffer, logger: Parameters<IHubProtocol['parseMessages']>[1]): HubMessage[] {
    return this.inner.parseMessages(input, logger);
  }

  writeMessage(message: HubMessage): string | ArrayBuffer {
    if (message.type === MessageType.Invocation || message.type === MessageType.StreamInvocation) {
      return this.inner.writeMessage({ ...message, headers: { ...message.headers, traceparent: this.traceparent } });
    }
    return this.inner.writeMessage(message);
  }
}
