// Raw `ws` server: the practical limit. Plain JSON messages, one per WebSocket frame.
//   client -> server: {"op":"e","id":n,"d":payload}     echo      -> {"e":"r","id":n,"d":payload}
//                     {"op":"b","d":payload}            broadcast -> {"e":"b","d":payload} to all
//                     {"op":"j","id":n,"g":"name"}      join      -> {"e":"a","id":n}
//                     {"op":"g","g":"name","d":payload} group     -> {"e":"b","d":payload} to members
// Same job as the other servers: parse every inbound message, serialize each outbound
// message once, write it to every target socket.
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { HOST } from '../common.js';
import { installControl, portArg, serverReady } from './control.js';

installControl();

const http = createServer((_req, res) => {
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, clientTracking: true });
const groups = new Map<string, Set<WebSocket>>();
const memberOf = new WeakMap<WebSocket, string[]>();

wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { op: string; id?: number; d?: unknown; g?: string };
    switch (m.op) {
      case 'e':
        ws.send(JSON.stringify({ e: 'r', id: m.id, d: m.d }));
        break;
      case 'b': {
        const out = Buffer.from(JSON.stringify({ e: 'b', d: m.d }));
        for (const c of wss.clients) c.send(out, { binary: false });
        break;
      }
      case 'j': {
        const g = m.g as string;
        let set = groups.get(g);
        if (!set) groups.set(g, (set = new Set()));
        set.add(ws);
        const mine = memberOf.get(ws);
        if (mine) mine.push(g);
        else memberOf.set(ws, [g]);
        ws.send(JSON.stringify({ e: 'a', id: m.id }));
        break;
      }
      case 'g': {
        const set = groups.get(m.g as string);
        if (!set) break;
        const out = Buffer.from(JSON.stringify({ e: 'b', d: m.d }));
        for (const c of set) c.send(out, { binary: false });
        break;
      }
    }
  });
  ws.on('close', () => {
    for (const g of memberOf.get(ws) ?? []) {
      const set = groups.get(g);
      set?.delete(ws);
      if (set && set.size === 0) groups.delete(g);
    }
  });
  ws.on('error', () => {});
});

http.listen(portArg(), HOST, () => {
  const port = (http.address() as { port: number }).port;
  serverReady(port);
  if (!process.send) console.log(`ws bench server on ${HOST}:${port}`);
});
