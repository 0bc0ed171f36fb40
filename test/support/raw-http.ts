import { type ClientRequest, get, type IncomingMessage } from 'node:http';
import request from 'supertest';
import WebSocket from 'ws';

/** Raw HTTP helpers for bad-input and status-code tests (the official client never sends these). */

export async function negotiate(url: string, path: string): Promise<{ connectionId: string; connectionToken: string }> {
  const response = await request(url).post(`${path}/negotiate?negotiateVersion=1`).expect(200);
  return response.body;
}

/** Negotiates and makes the first poll: a started long-polling connection. */
export async function startLongPolling(url: string, path: string): Promise<string> {
  const { connectionToken } = await negotiate(url, path);
  await request(url).get(`${path}?id=${connectionToken}`).expect(200);
  return connectionToken;
}

/** A supertest parser that reads any body as text (it leaves application/octet-stream unread). */
export function readText(response: unknown, done: (error: Error | null, body: string) => void): void {
  const stream = response as NodeJS.ReadableStream;
  let body = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (body += chunk));
  stream.on('end', () => done(null, body));
}

/** Headers that make a GET a WebSocket upgrade request. */
export const UPGRADE_HEADERS = {
  Connection: 'Upgrade',
  Upgrade: 'websocket',
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
};

/** An open WebSocket to `url` (http:// is turned into ws://). */
export async function openWebSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return socket;
}

/** An event stream as an EventSource would open it, read as text. */
export class EventStream {
  text = '';
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly request: ClientRequest,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.text += chunk;
      for (const waiter of this.waiters.splice(0)) waiter();
    });
    response.on('end', () => this.waiters.splice(0).forEach((waiter) => waiter()));
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const options = { headers: { Accept: 'text/event-stream', ...headers }, agent: false };
      const req = get(url, options, (response) => resolve(new EventStream(req, response)));
      req.once('error', reject);
    });
  }

  /** Resolves once the stream's text so far contains `expected`. */
  async until(expected: string): Promise<string> {
    while (!this.text.includes(expected)) {
      if (this.response.readableEnded)
        throw new Error(`Stream ended without ${JSON.stringify(expected)}: ${this.text}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.text;
  }

  /** Resolves when the server has ended the stream. */
  ended(): Promise<void> {
    if (this.response.readableEnded) return Promise.resolve();
    return new Promise((resolve) => this.response.once('end', resolve));
  }

  close(): void {
    this.request.destroy();
  }
}
