import type { HubConnection } from '@microsoft/signalr';
import { getHubContextToken, type HubContext } from 'nest-signalr';
import type { DefaultHubLifetimeManager } from '../libs/signalr/src/lifetime/default-hub-lifetime-manager.js';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ChatHub } from '../apps/demo/src/chat/chat.hub.js';
import { DemoModule } from '../apps/demo/src/demo.module.js';
import { buildDemoPage } from './support/demo-page.js';
import { dropServerSocket } from './support/drop-socket.js';
import { connectHub } from './support/hub-client.js';
import { browserAvailable, CHROMIUM_ARGS, chromiumPath } from './support/services.js';
import { type RunningApp, startApp } from './support/test-app.js';

describe.skipIf(!browserAvailable())('the chat page in Chromium', () => {
  let server: RunningApp;
  let browser: Browser;
  let page: Page;
  let nodeClient: HubConnection | undefined;
  const requested: string[] = [];

  beforeAll(async () => {
    buildDemoPage();
    server = await startApp(DemoModule);
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on('request', (req) => requested.push(req.url()));
  });
  afterAll(async () => {
    await nodeClient?.stop();
    await browser?.close();
    await server?.close();
  });

  it('connects on load and shows a message an official Node client sends', async () => {
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.connected === 'true');

    nodeClient = await connectHub(`${server.url}/chatHub`);
    await nodeClient.invoke('SendMessage', 'node', 'hello browser');

    await page.locator('#messages li', { hasText: 'node: hello browser' }).waitFor();
    expect(await page.locator('#status').textContent()).toMatch(/^connected/);
  });

  it('rejoins its group after an automatic reconnect, which is a new connection', async () => {
    const lifetime = server.app.get<HubContext>(getHubContextToken(ChatHub))
      .lifetimeManager as DefaultHubLifetimeManager;
    await page.fill('#group', 'room-r');
    await page.click('#join');
    await page.waitForFunction(() => document.body.dataset.joined === 'room-r');
    const oldId = await shownConnectionId();
    expect(lifetime.getConnection(oldId)?.groupNames?.has('room-r')).toBe(true);

    // The network drops under the browser: it reconnects (new negotiate, new id) and rejoins.
    dropServerSocket(lifetime.getConnection(oldId)!);
    await page.waitForFunction((old) => {
      const shown = /^connected \((.+)\)$/.exec(document.getElementById('status')!.textContent!);
      return shown !== null && shown[1] !== old;
    }, oldId);
    const newId = await shownConnectionId();
    // The page rejoins in onreconnected, right after it shows the new id: nothing announces it.
    for (let i = 0; i < 500 && !lifetime.getConnection(newId)?.groupNames?.has('room-r'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await nodeClient!.invoke('SendToGroup', 'room-r', 'node', 'after the reconnect');
    await page.locator('#messages li', { hasText: 'node: after the reconnect' }).waitFor();
    expect(lifetime.getConnection(oldId)).toBeUndefined();
  });

  async function shownConnectionId(): Promise<string> {
    const status = await page.locator('#status').textContent();
    return /^connected \((.+)\)$/.exec(status!)![1];
  }

  it('makes no request beyond the app itself', () => {
    expect(requested.length).toBeGreaterThan(0);
    for (const url of requested) expect(new URL(url).origin).toBe(server.url);
  });
});
