import type { HubConnection, IHubProtocol } from '@microsoft/signalr';
import type { HubContext } from 'nest-signalr';
import { connectHub, Inbox } from './hub-client.js';
import type { RunningApp } from './test-app.js';

/** Markers a client received, by token. */
export class Markers {
  private readonly seen = new Set<string>();
  private readonly waiters = new Map<string, () => void>();

  constructor(connection: HubConnection) {
    connection.on('Marker', (token: string) => {
      this.seen.add(token);
      this.waiters.get(token)?.();
      this.waiters.delete(token);
    });
  }

  waitFor(token: string): Promise<void> {
    if (this.seen.has(token)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(token, resolve));
  }
}

/** An official client of ScaleOutHub on one node. */
export interface NodeClient {
  connection: HubConnection;
  /** Its connection id (which names its node). */
  id: string;
  /** Every `Receive(text)` it got, in order. */
  received: Inbox;
  markers: Markers;
}

export async function connectClient(node: RunningApp, user?: string, protocol?: IHubProtocol): Promise<NodeClient> {
  const connection = await connectHub(`${node.url}/scale`, { accessToken: user, protocol });
  const received = new Inbox(connection, 'Receive');
  const markers = new Markers(connection);
  // Invocations run only after the node's onConnected, which resolves once
  // the node's Redis subscriptions for this connection are confirmed: from
  // now on, sends from any node reach it.
  const id = await connection.invoke<string>('Whoami');
  return { connection, id, received, markers };
}

/** The texts a client received so far. */
export function texts(client: NodeClient): unknown[] {
  return client.received.received.map((args) => args[0]);
}

let markerCount = 0;

/**
 * Proves who did NOT receive a message sent before, across nodes. The
 * single-node barrier of demo-chat.e2e-spec.ts (the client's own invocation
 * completing) says nothing about messages still on their way through Redis
 * from another node. This one uses an ordered path instead:
 *
 * - The message M was sent from node N (a hub method or a HubContext of N)
 *   and that send has completed. On N, M went to N's local connections at
 *   once and was handed to N's one publishing Redis connection.
 * - Then the marker is broadcast from the same node N: to N's connections
 *   after M, and through the same publishing connection after M.
 * - Redis delivers the messages of one publishing connection to one
 *   subscribing connection in the order it received them, whatever their
 *   channels; each node has one subscribing connection, and delivers what it
 *   receives synchronously, in order, to its connections; a connection's
 *   output and the client's dispatch keep that order.
 *
 * So every connection that was to get M got it before the marker: a client
 * that has the marker but not M will never get M. (A node not subscribed
 * to M's channel never gets M at all, which is the point.)
 */
export async function barrier(from: NodeClient, clients: NodeClient[]): Promise<void> {
  const token = `marker-${++markerCount}`;
  const arrived = clients.map((client) => client.markers.waitFor(token));
  await from.connection.invoke('Marker', token);
  await Promise.all(arrived);
}

/** {@link barrier} for sends made through a node's HubContext: the marker leaves from that node too. */
export async function barrierFromContext(from: HubContext, clients: NodeClient[]): Promise<void> {
  const token = `marker-${++markerCount}`;
  const arrived = clients.map((client) => client.markers.waitFor(token));
  await from.clients.all.send('Marker', token);
  await Promise.all(arrived);
}
