import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export function sendText(res: ServerResponse, status: number, body = ''): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, body: string): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, body = ''): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Connection: close\r\nContent-Type: text/plain\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The bearer token of a request: the Authorization header, else `access_token` in the query. */
export function readAccessToken(request: IncomingMessage, query: URLSearchParams): string | undefined {
  // The scheme is case-insensitive (RFC 7235); other schemes are not ours.
  const bearer = /^bearer +(.*)$/i.exec(request.headers.authorization ?? '');
  const token = bearer ? bearer[1].trim() : query.get('access_token');
  return token || undefined;
}
