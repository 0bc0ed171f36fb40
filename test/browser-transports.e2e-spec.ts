import type { HubConnection } from '@microsoft/signalr';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DemoModule } from '../apps/demo/src/demo.module.js';
import { connectHub, Inbox } from './support/hub-client.js';
import { buildDemoPage } from './support/demo-page.js';
import { browserAvailable, CHROMIUM_ARGS, chromiumPath } from './support/services.js';
import { type RunningApp, startApp } from './support/test-app.js';

/** What the page's requests to the hub show of the transport in use. */
const TRANSPORT_SEEN: Record<string, (request: { url: string; type: string; method: string }) => boolean> = {
  // EventSource requests are their own resource type in Chromium.
  '2': ({ url, type }) => type === 'eventsource' && new URL(url).pathname === '/chatHub',
  // Polls carry the client's cache buster `_`.
  '4': ({ url, method }) => method === 'GET' && new URL(url).searchParams.has('_'),
};

describe.skipIf(!browserAvailable())('the chat page over the transport picked in Chromium', () => {
  let server: RunningApp;
  let browser: Browser;
  let nodeClient: HubConnection;
  const pages: Page[] = [];

  beforeAll(async () => {
    buildDemoPage();
    server = await startApp(DemoModule);
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    nodeClient = await connectHub(`${server.url}/chatHub`);
  });
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.close()));
  });
  afterAll(async () => {
    await nodeClient?.stop();
    await browser?.close();
    await server?.close();
  });

  it.each([
    ['Server-Sent Events', 'json', '2'],
    ['Long Polling', 'json', '4'],
    ['Long Polling', 'messagepack', '4'],
  ])('chats over %s with %s', async (_name, protocol, transport) => {
    const page = await browser.newPage();
    pages.push(page);
    const requests: { url: string; type: string; method: string }[] = [];
    page.on('request', (req) => requests.push({ url: req.url(), type: req.resourceType(), method: req.method() }));
    const webSockets: string[] = [];
    page.on('websocket', (socket) => webSockets.push(socket.url()));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.connected === 'true');
    const firstStatus = await page.locator('#status').textContent();

    // Pick the transport and reconnect: a new connection (a new id) over it.
    await page.selectOption('#transport', transport);
    await page.selectOption('#protocol', protocol);
    requests.length = 0;
    webSockets.length = 0;
    await page.click('#reconnect');
    await page.waitForFunction((before) => {
      const status = document.getElementById('status')!.textContent!;
      return status.startsWith('connected (') && status !== before;
    }, firstStatus);
    expect(requests.some(TRANSPORT_SEEN[transport])).toBe(true);
    expect(webSockets).toEqual([]);

    // Both ways through the transport.
    await nodeClient.invoke('SendMessage', 'node', `hello over ${transport}`);
    await page.locator('#messages li', { hasText: `node: hello over ${transport}` }).waitFor();
    const inbox = new Inbox(nodeClient, 'ReceiveMessage');
    await page.fill('#user', 'browser');
    await page.fill('#message', `reply over ${transport}`);
    await page.click('#send');
    expect(await inbox.next()).toEqual(['browser', `reply over ${transport}`]);
  });
});
