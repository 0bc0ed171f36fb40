import { get } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';

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
