import type { IncomingMessage } from 'node:http';

/**
 * The client's input over the HTTP transports (Server-Sent Events, long
 * polling): POST bodies read one at a time, in arrival order, so that two
 * sends never interleave (ASP.NET Core holds a write lock per connection);
 * and paused while the hub cannot take more input, so that unread data waits
 * in the client and the network (TCP back-pressure), not in server memory.
 */
export class PostedInput {
  /** The body being read, then those waiting their turn (unread, so the socket holds them). */
  private bodies?: { request: IncomingMessage; read: () => void }[];
  private paused = false;

  /** Queues a body; `read` starts reading it when its turn comes. Call `done` once it is over. */
  add(request: IncomingMessage, read: () => void): void {
    const bodies = (this.bodies ??= []);
    bodies.push({ request, read });
    if (bodies.length === 1) this.start(bodies[0]);
  }

  /** The body was read (or refused, or its client went away): the next one may start. */
  done(request: IncomingMessage): void {
    const bodies = this.bodies;
    const index = bodies?.findIndex((body) => body.request === request) ?? -1;
    if (index === -1) return;
    bodies!.splice(index, 1);
    if (bodies!.length === 0) this.bodies = undefined;
    else if (index === 0) this.start(bodies![0]);
  }

  pause(): void {
    this.paused = true;
    this.bodies?.[0].request.pause();
  }

  resume(): void {
    this.paused = false;
    this.bodies?.[0].request.resume();
  }

  private start(body: { request: IncomingMessage; read: () => void }): void {
    body.read();
    if (this.paused) body.request.pause();
  }
}
