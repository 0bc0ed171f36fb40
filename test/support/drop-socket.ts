import type { HubConnection } from '@microsoft/signalr';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

/**
 * Destroys the TCP socket under an official Node client's WebSocket, as a
 * network that goes away would: no Close frame, no hub Close message.
 */
export function dropClientSocket(connection: HubConnection): void {
  const http = (connection as unknown as { connection: { transport: { _webSocket: { _socket: Socket } } } }).connection;
  http.transport._webSocket._socket.destroy();
}

/** The official client's current WebSocket (a stateful reconnect replaces it). */
export function clientWebSocket(connection: HubConnection): unknown {
  return (connection as unknown as { connection: { transport: { _webSocket: unknown } } }).connection.transport
    ._webSocket;
}

/**
 * Terminates the server's WebSocket of a connection (its transport's socket):
 * the server sees a drop, the client a socket closed without a Close frame.
 */
export function dropServerSocket(connection: object): void {
  (connection as { transport: { socket: WebSocket } }).transport.socket.terminate();
}
