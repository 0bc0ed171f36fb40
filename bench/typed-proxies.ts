// Typed client proxies against untyped sends: the cost of the call path
// itself, `clients.all.receiveMessage(user, text)` against
// `clients.all.send('ReceiveMessage', user, text)`.
//
//   npm run bench:typed                       defaults below
//   npm run bench:typed -- --calls=2000000 --rounds=9
//
// Three lifetime managers: one that does nothing (only the proxies' own work
// is measured, the worst case for any difference), the in-memory one with no
// connections (a send's fixed cost), and the in-memory one with ten
// connections that serialize what they are given (JSON, once per message as
// in the library) and drop it. Typed and untyped rounds alternate and the
// median round of each is shown, in nanoseconds per send.
import 'reflect-metadata';
import { HubCallerClients } from '../libs/signalr/src/hub/hub-caller-clients.js';
import { DefaultHubLifetimeManager } from '../libs/signalr/src/lifetime/default-hub-lifetime-manager.js';
import type { HubLifetimeManager } from '../libs/signalr/src/lifetime/hub-lifetime-manager.js';
import type { HubMessage } from '../libs/signalr/src/protocol/hub-message.js';
import { JsonHubProtocol } from '../libs/signalr/src/protocol/json-hub-protocol.js';
import type { SerializedHubMessage } from '../libs/signalr/src/protocol/serialized-hub-message.js';

interface ChatClient {
  receiveMessage(user: string, message: string): void;
}

const option = (name: string, fallback: number) =>
  Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const CALLS = option('calls', 2_000_000);
const ROUNDS = option('rounds', 9);

const DONE = Promise.resolve();
const idle = () => DONE;
const idleManager = { sendAll: idle, sendConnection: idle, sendGroup: idle } as unknown as HubLifetimeManager;

const json = new JsonHubProtocol();
let bytesWritten = 0;
function withConnections(count: number): DefaultHubLifetimeManager {
  const manager = new DefaultHubLifetimeManager();
  for (let i = 0; i < count; i++) {
    const connection = {
      connectionId: i === 0 ? 'caller-id' : `connection-${i}`,
      userIdentifier: undefined,
      writeSerialized: (message: SerializedHubMessage) => (bytesWritten += message.getBytes(json).length),
      writeMessage: (message: HubMessage) => (bytesWritten += json.writeMessage(message).length),
    };
    void manager.onConnected(connection as never);
    void manager.addToGroup(connection.connectionId, 'room');
  }
  return manager;
}

type Selector = 'all' | 'group' | 'caller';
const selectors: Selector[] = ['all', 'group', 'caller'];

function round(clients: HubCallerClients<ChatClient>, selector: Selector, typed: boolean): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const proxy = selector === 'all' ? clients.all : selector === 'group' ? clients.group('room') : clients.caller;
    if (typed) void proxy.receiveMessage('user', 'message');
    else void proxy.send('ReceiveMessage', 'user', 'message');
  }
  return Number(process.hrtime.bigint() - start) / CALLS;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];

console.log(`${CALLS.toLocaleString('en')} sends per round, median of ${ROUNDS} rounds (ns per send)\n`);
console.log('| lifetime manager | selector | untyped | typed | typed / untyped |');
console.log('|---|---|--:|--:|--:|');
for (const [name, manager] of [
  ['no-op', idleManager],
  ['in-memory, no connections', new DefaultHubLifetimeManager()],
  ['in-memory, 10 connections', withConnections(10)],
] as const) {
  const clients = new HubCallerClients<ChatClient>(manager, 'caller-id');
  for (const selector of selectors) {
    const untyped: number[] = [];
    const typed: number[] = [];
    round(clients, selector, false); // warm-up of both paths
    round(clients, selector, true);
    for (let r = 0; r < ROUNDS; r++) {
      untyped.push(round(clients, selector, false));
      typed.push(round(clients, selector, true));
    }
    const [u, t] = [median(untyped), median(typed)];
    console.log(`| ${name} | ${selector} | ${u.toFixed(1)} | ${t.toFixed(1)} | ${(t / u).toFixed(2)}× |`);
  }
}
if (bytesWritten === 0) throw new Error('The connections received nothing.');
