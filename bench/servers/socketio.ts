// Socket.IO 4.8 server, WebSocket transport only.
//   emit('echo', payload, ack)          -> ack(payload)
//   emit('broadcast', payload)          -> io.emit('broadcast', payload)
//   emit('joinGroup', name, ack)        -> socket.join(name); ack(true)
//   emit('sendToGroup', name, payload)  -> io.to(name).emit('broadcast', payload)
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { HOST } from '../common.js';
import { installControl, portArg, serverReady } from './control.js';

installControl();

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });

io.on('connection', (socket) => {
  socket.on('echo', (payload: unknown, ack?: (r: unknown) => void) => ack?.(payload));
  socket.on('broadcast', (payload: unknown) => {
    io.emit('broadcast', payload);
  });
  socket.on('joinGroup', (name: string, ack?: (r: unknown) => void) => {
    void socket.join(name);
    ack?.(true);
  });
  socket.on('sendToGroup', (name: string, payload: unknown) => {
    io.to(name).emit('broadcast', payload);
  });
});

http.listen(portArg(), HOST, () => {
  const port = (http.address() as { port: number }).port;
  serverReady(port);
  if (!process.send) console.log(`socket.io bench server on ${HOST}:${port}`);
});
