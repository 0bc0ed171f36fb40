import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { RawData, WebSocket } from 'ws';

/** A plain WebSocket at /ws that sends every frame back unchanged. */
@WebSocketGateway({ path: '/ws' })
export class EchoGateway implements OnGatewayConnection {
  handleConnection(client: WebSocket) {
    client.on('message', (data: RawData, isBinary: boolean) => client.send(data, { binary: isBinary }));
  }
}
