import {
  type Attributes,
  context,
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import type { MessageHeaders } from '../protocol/hub-message.js';
import type { HttpTransportType } from '../transports/http-transport-type.js';
import { HubStatistics } from './hub-statistics.js';
import type { InvocationTelemetry, MethodTelemetry } from './invocation-telemetry.js';
import { SignalRInstruments } from './signalr-instruments.js';
import {
  type ConnectionEndStatus,
  SIGNALR_TELEMETRY_NAME,
  SignalRAttributes as Attr,
  transportName,
} from './telemetry-names.js';

/** What the diagnostics need of a connection. */
export interface ObservedConnection {
  readonly transportType: HttpTransportType;
  /** `performance.now()` when its transport started. */
  readonly openedAt: number;
}

/** What the diagnostics need of an invocation in flight. */
export interface ObservedInvocation {
  failed: boolean;
  error?: unknown;
  telemetry?: InvocationTelemetry;
}

/**
 * Metrics and traces of one hub, through the OpenTelemetry API: the hub's
 * connection handler and dispatcher call it at the few points that matter.
 * Without an SDK the instruments are absent and the tracer makes
 * non-recording spans, so an invocation costs two increments and no clock read.
 */
export class HubDiagnostics {
  readonly statistics = new HubStatistics();
  /** The attributes of this hub's own (non-convention) counters. */
  readonly attributes: Attributes;
  /** Told every invocation's duration in seconds (the admin panel's p99); setting it turns timing on. */
  onInvocationTimed?: (seconds: number) => void;
  private readonly instruments = SignalRInstruments.get();
  private readonly tracer: Tracer = trace.getTracer(SIGNALR_TELEMETRY_NAME);
  private readonly methods = new Map<string, MethodTelemetry>();
  private readonly byTransport = new Map<HttpTransportType, Attributes>();
  private readonly byTransportAndStatus = new Map<string, Attributes>();
  private readonly connectSpanOptions: Map<HttpTransportType, { kind: SpanKind; attributes: Attributes }>;

  constructor(readonly hub: string) {
    this.attributes = { [Attr.hub]: hub };
    this.connectSpanOptions = new Map();
    this.instruments?.observe(this);
  }

  // ---- connections --------------------------------------------------------

  connectionOpened(connection: ObservedConnection): void {
    this.instruments?.activeConnections.add(1, this.transportAttributes(connection.transportType));
  }

  connectionClosed(connection: ObservedConnection, status: ConnectionEndStatus): void {
    const instruments = this.instruments;
    if (!instruments) return;
    const type = connection.transportType;
    instruments.activeConnections.add(-1, this.transportAttributes(type));
    const key = `${type}:${status}`;
    let attributes = this.byTransportAndStatus.get(key);
    if (!attributes) {
      attributes = { [Attr.transport]: transportName(type), [Attr.connectionStatus]: status };
      this.byTransportAndStatus.set(key, attributes);
    }
    instruments.connectionDuration.record((performance.now() - connection.openedAt) / 1000, attributes);
  }

  /** A span over a connection's start (registration and the hub's connect hooks); end it with `endSpan`. */
  startConnectSpan(connection: ObservedConnection): Span {
    let options = this.connectSpanOptions.get(connection.transportType);
    if (!options) {
      options = {
        kind: SpanKind.SERVER,
        attributes: {
          [Attr.rpcSystem]: 'signalr',
          [Attr.rpcService]: this.hub,
          [Attr.rpcMethod]: 'onConnected',
          [Attr.transport]: transportName(connection.transportType),
        },
      };
      this.connectSpanOptions.set(connection.transportType, options);
    }
    // A root: a connection lives longer than the request that started it.
    return this.tracer.startSpan(`${this.hub}/onConnected`, options, ROOT_CONTEXT);
  }

  endSpan(span: Span, error?: unknown): void {
    if (error !== undefined) recordError(span, error);
    span.end();
  }

  // ---- invocations --------------------------------------------------------

  /**
   * Starts timing and tracing an invocation of `method` (the name the hub
   * declares). Its span continues the caller's trace when the invocation's
   * headers carry one (`traceparent`), else it is a root, as in ASP.NET Core.
   */
  invocationStarted(invocation: ObservedInvocation, method: string, headers: MessageHeaders | undefined): void {
    const telemetry = this.methodTelemetry(method);
    const parent = headers === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, headers);
    const span = this.tracer.startSpan(telemetry.spanName, telemetry.spanOptions, parent);
    const timed = this.instruments !== undefined || this.onInvocationTimed !== undefined;
    if (!timed && !span.isRecording()) return;
    invocation.telemetry = {
      method: telemetry,
      startedAt: timed ? performance.now() : 0,
      span: span.isRecording() ? span : undefined,
    };
  }

  /** Runs the hub method in its span's context, so that what it does is traced under it. */
  runInvocation<T>(invocation: ObservedInvocation, call: () => T): T {
    const span = invocation.telemetry?.span;
    return span ? context.with(trace.setSpan(ROOT_CONTEXT, span) as Context, call) : call();
  }

  invocationEnded(invocation: ObservedInvocation): void {
    const statistics = this.statistics;
    statistics.invocations++;
    if (invocation.failed) statistics.failedInvocations++;
    const telemetry = invocation.telemetry;
    if (!telemetry) return;
    if (telemetry.startedAt !== 0) {
      const seconds = (performance.now() - telemetry.startedAt) / 1000;
      const attributes = telemetry.method.metricAttributes;
      this.instruments?.invocationDuration.record(
        seconds,
        invocation.failed ? { ...attributes, [Attr.errorType]: errorType(invocation.error) } : attributes,
      );
      this.onInvocationTimed?.(seconds);
    }
    const span = telemetry.span;
    if (span) {
      if (invocation.failed) recordError(span, invocation.error);
      span.end();
    }
  }

  /** The hub is no longer served: its totals stop being reported. */
  dispose(): void {
    this.instruments?.forget(this);
  }

  private transportAttributes(type: HttpTransportType): Attributes {
    let attributes = this.byTransport.get(type);
    if (!attributes) this.byTransport.set(type, (attributes = { [Attr.transport]: transportName(type) }));
    return attributes;
  }

  private methodTelemetry(method: string): MethodTelemetry {
    let telemetry = this.methods.get(method);
    if (!telemetry) {
      telemetry = {
        spanName: `${this.hub}/${method}`,
        spanOptions: {
          kind: SpanKind.SERVER,
          attributes: { [Attr.rpcSystem]: 'signalr', [Attr.rpcService]: this.hub, [Attr.rpcMethod]: method },
        },
        metricAttributes: { [Attr.hub]: this.hub, [Attr.method]: method },
      };
      this.methods.set(method, telemetry);
    }
    return telemetry;
  }
}

/** The conventions' `error.type`: the error's class, a low-cardinality name. */
function errorType(error: unknown): string {
  if (error instanceof Error) return error.constructor.name;
  return error === null || error === undefined ? '_OTHER' : typeof error;
}

function recordError(span: Span, error: unknown): void {
  span.setAttribute(Attr.errorType, errorType(error));
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
