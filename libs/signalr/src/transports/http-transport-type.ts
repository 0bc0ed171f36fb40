/**
 * Transport flags, with the values the official clients use, so that
 * `HttpTransportType.WebSockets | HttpTransportType.LongPolling` reads the
 * same on both sides.
 */
export enum HttpTransportType {
  None = 0,
  WebSockets = 1,
  ServerSentEvents = 2,
  LongPolling = 4,
}

export const ALL_TRANSPORTS =
  HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
