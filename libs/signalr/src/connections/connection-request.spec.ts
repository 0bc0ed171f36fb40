import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { ConnectionRequest } from './connection-request.js';

function incoming(url: string, headers: Record<string, string>, extra: Record<string, unknown> = {}): IncomingMessage {
  const request = new IncomingMessage(new Socket());
  request.method = 'GET';
  request.url = url;
  request.headers = headers;
  return Object.assign(request, extra);
}

describe('ConnectionRequest', () => {
  it('takes the method, url, path, query and headers of the request', () => {
    const request = new ConnectionRequest(incoming('/hub?id=abc&redirects=3&x=a%20b', { 'user-agent': 'agent' }));
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/hub?id=abc&redirects=3&x=a%20b');
    expect(request.path).toBe('/hub');
    expect(request.query.get('redirects')).toBe('3');
    expect(request.query.get('x')).toBe('a b');
    expect(request.headers['user-agent']).toBe('agent');
    expect(new ConnectionRequest(incoming('/hub', {})).query.toString()).toBe('');
  });

  it('parses cookies: first of a name wins, quotes dropped, values decoded, bad encodings kept', () => {
    const { cookies } = new ConnectionRequest(
      incoming('/hub', { cookie: 'a=1; b="two"; a=3; c=x%20y; d=%E0%A4%A; novalue; =empty' }),
    );
    expect({ ...cookies }).toEqual({ a: '1', b: 'two', c: 'x y', d: '%E0%A4%A' });
    expect({ ...new ConnectionRequest(incoming('/hub', {})).cookies }).toEqual({});
  });

  it("keeps what middleware attached, not Node's or Express's own properties", () => {
    const session = { user: 'ann' };
    const request = incoming('/hub', {}, { session, originalUrl: '/hub', res: {}, _parsedUrl: {} });
    expect(new ConnectionRequest(request).attached).toEqual({ session });
    expect(new ConnectionRequest(incoming('/hub', {})).attached).toEqual({});
  });
});
