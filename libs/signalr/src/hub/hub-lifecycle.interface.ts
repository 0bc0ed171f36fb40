import type { HubCallerContext } from './hub-caller-context.js';

/** Runs when a client has connected to the hub, before its first invocation. */
export interface OnHubConnected {
  onConnected(context: HubCallerContext): unknown;
}

/** Runs when a connection has ended; `error` is set when it ended with one. */
export interface OnHubDisconnected {
  onDisconnected(context: HubCallerContext, error?: Error): unknown;
}
