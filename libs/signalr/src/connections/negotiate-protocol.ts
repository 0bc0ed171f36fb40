import { HttpTransportType } from '../transports/http-transport-type.js';
import type { NegotiatedConnection } from './http-connection-manager.js';

const TRANSFER_FORMATS: [HttpTransportType, string, string[]][] = [
  [HttpTransportType.WebSockets, 'WebSockets', ['Text', 'Binary']],
  [HttpTransportType.ServerSentEvents, 'ServerSentEvents', ['Text']],
  [HttpTransportType.LongPolling, 'LongPolling', ['Text', 'Binary']],
];

/** The server supports negotiate versions 0 and 1; higher requests get 1. */
const MAX_NEGOTIATE_VERSION = 1;

export type NegotiateVersion = { version: number; error?: undefined } | { version?: undefined; error: string };

/** Reads `negotiateVersion` from the query (its name case-insensitively, as ASP.NET Core). */
export function readNegotiateVersion(query: URLSearchParams): NegotiateVersion {
  // Repeated, the values join with commas as in ASP.NET Core: not an integer.
  let raw: string | undefined;
  for (const [key, value] of query) {
    if (key.toLowerCase() === 'negotiateversion') raw = raw === undefined ? value : `${raw},${value}`;
  }
  if (raw === undefined) return { version: 0 };
  const version = Number(raw);
  // ASP.NET Core reads an Int32: anything else is not an integer to it.
  if (!/^-?\d+$/.test(raw.trim()) || (version | 0) !== version) {
    return { error: 'The client requested a non-integer protocol version.' };
  }
  if (version < 0)
    return { error: `The client requested version '${version}', but the server does not support this version.` };
  return { version: Math.min(version, MAX_NEGOTIATE_VERSION) };
}

/**
 * Whether the client asked for stateful reconnect (`useStatefulReconnect=true`;
 * the name case-insensitively and the value as .NET's `bool.TryParse`, as ASP.NET Core).
 */
export function readStatefulReconnect(query: URLSearchParams): boolean {
  let raw: string | undefined;
  for (const [key, value] of query) {
    if (key.toLowerCase() === 'usestatefulreconnect') raw = raw === undefined ? value : `${raw},${value}`;
  }
  return raw?.trim().toLowerCase() === 'true';
}

export function writeNegotiateResponse(
  version: number,
  connection: NegotiatedConnection,
  transports: HttpTransportType,
): string {
  const availableTransports = TRANSFER_FORMATS.filter(([flag]) => transports & flag).map(
    ([, transport, transferFormats]) => ({ transport, transferFormats }),
  );
  // ASP.NET Core writes `useStatefulReconnect` first, and only when it is on.
  const statefulReconnect = connection.statefulReconnect ? { useStatefulReconnect: true } : undefined;
  return JSON.stringify(
    version > 0
      ? {
          ...statefulReconnect,
          negotiateVersion: version,
          connectionId: connection.connectionId,
          connectionToken: connection.connectionToken,
          availableTransports,
        }
      : { ...statefulReconnect, negotiateVersion: 0, connectionId: connection.connectionId, availableTransports },
  );
}
