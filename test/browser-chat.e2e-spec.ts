import type { HubConnection } from '@microsoft/signalr';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DemoModule } from '../apps/demo/src/demo.module.js';
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

  it('makes no request beyond the app itself', () => {
    expect(requested.length).toBeGreaterThan(0);
    for (const url of requested) expect(new URL(url).origin).toBe(server.url);
  });
});
