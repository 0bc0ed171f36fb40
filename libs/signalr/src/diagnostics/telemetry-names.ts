import { HttpTransportType } from '../transports/http-transport-type.js';

/**
 * The name of nest-signalr's meter and tracer: what an OpenTelemetry SDK
 * selects or filters on (ASP.NET Core's are `Microsoft.AspNetCore.Http.Connections`
 * and `Microsoft.AspNetCore.SignalR.Server`).
 */
export const SIGNALR_TELEMETRY_NAME = 'nest-signalr';

/** Instruments of OpenTelemetry's stable SignalR conventions, and ours named in the same style. */
export const SignalRMetricNames = {
  activeConnections: 'signalr.server.active_connections',
  connectionDuration: 'signalr.server.connection.duration',
  messagesReceived: 'signalr.server.messages.received',
  messagesSent: 'signalr.server.messages.sent',
  invocationDuration: 'signalr.server.invocation.duration',
  slowConsumerDrops: 'signalr.server.slow_consumer.drops',
  backplanePublishes: 'signalr.server.backplane.publishes',
  backplaneReceives: 'signalr.server.backplane.receives',
  backplaneErrors: 'signalr.server.backplane.errors',
} as const;

/** The attribute keys of nest-signalr's metrics and spans. */
export const SignalRAttributes = {
  /** Stable convention: `web_sockets`, `server_sent_events`, `long_polling`. */
  transport: 'signalr.transport',
  /** Stable convention: `normal_closure`, `timeout`, `app_shutdown`. */
  connectionStatus: 'signalr.connection.status',
  /** Ours: the hub's class name. */
  hub: 'signalr.hub',
  /** Ours: the backplane's broker (`Redis`, `NATS`, `in-memory`). */
  backplane: 'signalr.backplane',
  /** Ours: the id of the node (process) whose backplane traffic is counted. */
  backplaneNode: 'signalr.backplane.node',
  /** Ours: the hub method's name as the hub declares it. */
  method: 'signalr.method',
  errorType: 'error.type',
  rpcSystem: 'rpc.system',
  rpcService: 'rpc.service',
  rpcMethod: 'rpc.method',
} as const;

/** How a connection ended, in the stable convention's words (ASP.NET Core's HttpConnectionStopStatus). */
export type ConnectionEndStatus = 'normal_closure' | 'timeout' | 'app_shutdown';

export function transportName(type: HttpTransportType): string {
  switch (type) {
    case HttpTransportType.WebSockets:
      return 'web_sockets';
    case HttpTransportType.ServerSentEvents:
      return 'server_sent_events';
    default:
      return 'long_polling';
  }
}

/** The stable convention's bucket advice for connection durations, in seconds. */
export const CONNECTION_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** Invocation durations, in seconds: OpenTelemetry's advice for HTTP and RPC server durations. */
export const INVOCATION_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
