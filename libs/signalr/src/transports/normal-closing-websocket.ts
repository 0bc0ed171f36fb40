import { WebSocket } from 'ws';

/** ASP.NET Core's close status when the application side ends normally. */
export const NORMAL_CLOSURE = 1000;

/**
 * A server-side `ws` socket whose Close frames always carry a status code.
 * `ws` answers a client's Close without a status (what browsers and the
 * official client send on `stop()`) with an empty Close of its own, so the
 * client sees 1005; ASP.NET Core answers 1000 (NormalClosure), and a server
 * closing without a code means the same. Used as the `WebSocket` class of every
 * WebSocket server the adapter creates.
 */
export class NormalClosingWebSocket extends WebSocket {
  override close(code?: number, reason?: string | Buffer): void {
    super.close(code ?? NORMAL_CLOSURE, reason);
  }
}
