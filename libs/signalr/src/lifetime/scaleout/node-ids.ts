import { randomBytes } from 'node:crypto';
import { newConnectionId } from '../../connections/connection-ids.js';

/**
 * With a backplane, a connection id ends with the id of the node that serves
 * the connection (`<22 random characters>.<node id>`): a message or command
 * for one connection goes straight to that node's channel, with no directory
 * to keep in the broker. Clients treat connection ids as opaque strings.
 */
const SEPARATOR = '.';

/** 8 base64url characters: 48 random bits per node (process × app). */
export function newNodeId(): string {
  return randomBytes(6).toString('base64url');
}

export function newNodeConnectionId(nodeId: string): string {
  return `${newConnectionId()}${SEPARATOR}${nodeId}`;
}

/** The node a connection id names; undefined for an id that names none. */
export function nodeIdOf(connectionId: string): string | undefined {
  if (typeof connectionId !== 'string') return undefined;
  const separator = connectionId.lastIndexOf(SEPARATOR);
  return separator === -1 || separator === connectionId.length - 1 ? undefined : connectionId.slice(separator + 1);
}
