import type { Attributes, Span, SpanOptions } from '@opentelemetry/api';

/** What every invocation of one hub method is reported with, made once per method. */
export interface MethodTelemetry {
  readonly spanName: string;
  readonly spanOptions: SpanOptions;
  readonly metricAttributes: Attributes;
}

/** One invocation being timed or traced (only when something listens). */
export interface InvocationTelemetry {
  readonly method: MethodTelemetry;
  /** `performance.now()` when it started; 0 when nothing times invocations. */
  readonly startedAt: number;
  /** Its span, when an SDK records it. */
  readonly span?: Span;
}
