// Server catalogue: which process to start and which generator protocol speaks to it.

export type Capability = 'negotiate' | 'backplane';

export interface ServerDef {
  id: string;
  /** compiled entry, relative to dist/bench/bench/servers/ */
  entry: string;
  /** generator protocol id (loadgen/protocols.ts); socket.io servers follow --sio-client */
  protocol: string;
  /** hub path (SignalR) */
  path: string;
  /** needs the separate nest-signalr build (bench/tsconfig.signalr.json) */
  signalrBuild?: boolean;
  capabilities: Capability[];
  /** part of the default --servers selection */
  byDefault: boolean;
  describe: string;
}

export const SERVERS: ServerDef[] = [
  {
    id: 'ws',
    entry: 'ws.js',
    protocol: 'ws-json',
    path: '/',
    capabilities: [],
    byDefault: true,
    describe: 'raw `ws` 8 + node:http, plain JSON (the practical limit)',
  },
  {
    id: 'socket.io',
    entry: 'socketio.js',
    protocol: 'socketio',
    path: '/socket.io/',
    capabilities: [],
    byDefault: true,
    describe: 'Socket.IO 4.8 server, websocket transport only',
  },
  {
    id: 'nest-socket.io',
    entry: 'nest-socketio.js',
    protocol: 'socketio',
    path: '/socket.io/',
    capabilities: [],
    byDefault: true,
    describe: 'Nest 12 gateway on @nestjs/platform-socket.io (@SubscribeMessage, return value as ack)',
  },
  {
    id: 'nest-signalr',
    entry: 'nest-signalr.js',
    protocol: 'signalr-json',
    path: '/bench',
    signalrBuild: true,
    capabilities: ['negotiate'],
    byDefault: true,
    describe: 'Nest 12 app with a nest-signalr hub, JSON hub protocol',
  },
  {
    // Same server process, MessagePack hub protocol (run with --servers=nest-signalr-msgpack).
    id: 'nest-signalr-msgpack',
    entry: 'nest-signalr.js',
    protocol: 'signalr-msgpack',
    path: '/bench',
    signalrBuild: true,
    capabilities: ['negotiate'],
    byDefault: false,
    describe: 'nest-signalr hub, MessagePack hub protocol',
  },
];
