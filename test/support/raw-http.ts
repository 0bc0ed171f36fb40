import { type ClientRequest, get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
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

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * Sends bytes as they are over a new TCP connection and reads the HTTP
 * response until the server closes it: for requests no HTTP client would
 * send (bad upgrade headers, odd methods).
 */
export function rawHttp(url: string, request: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    // Not ended: a half-closed client may see its connection dropped before the answer.
    socket.write(request);
  });
}

/** The status and body of a refused WebSocket upgrade, or 101 when it was accepted (then closed). */
export function upgradeResponse(url: string, headers?: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), { headers });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode!, body });
        socket.terminate();
      });
    });
    socket.on('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.on('error', reject);
  });
}

/**
 * The status and body of a GET that opens an HTTP transport: Server-Sent
 * Events with `Accept: text/event-stream`, else a long poll. A 200 is not
 * read to its end (an event stream has none): the request is aborted.
 */
export function httpTransportResponse(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers }, (response) => {
      if (response.statusCode === 200) {
        resolve({ status: 200, body: '' });
        request.destroy();
        return;
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    request.on('error', (error) => {
      if (!request.destroyed) reject(error);
    });
  });
}
