import { ConnectionContext, ConnectionHandler, type OnConnection } from 'nest-signalr';

/**
 * A plain connection at /echo (no hub protocol) that sends every message
 * back, text as text and binary as binary, over any transport: what the
 * official client's HttpConnection connects to.
 */
@ConnectionHandler('/echo')
export class EchoHandler implements OnConnection {
  async onConnected(connection: ConnectionContext) {
    for await (const message of connection.input) await connection.send(message);
  }
}
