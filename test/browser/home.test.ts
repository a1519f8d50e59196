import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { BrowserUser, expectMajor, htmxEnv, MAJORS, statusIs } from '../helpers/browser.ts';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';

describe.each(MAJORS)('SPEC 4.1 home page in the browser (htmx %i)', (major) => {
  let server: NodeServer;
  let visitor: BrowserUser;

  beforeAll(async () => {
    server = await startServer(htmxEnv(major));
    visitor = await BrowserUser.launch();
  });
  afterAll(async () => {
    await visitor?.close();
    await server?.shutdown();
  });

  it('shows rooms appear and disappear in #room-list as people join and leave', async () => {
    const page = await visitor.open(`${server.url}/`);
    await statusIs(page, 'Connected');
    await expectMajor(page, major);
    expect(await page.locator('#room-list li').count()).toBe(0);

    const chatter = await newUser(server.url, 'Cy');
    const socket = await SocketClient.connect(wsUrl(server.url, '/chat/busy-room/ws'), { cookie: chatter.cookie });
    await page.waitForSelector('#room-list li#chat-busy-room:has-text("1 online")');
    expect(await page.getAttribute('#chat-busy-room a', 'href')).toBe('/chat/busy-room');

    socket.close();
    await page.waitForSelector('#room-list li#chat-busy-room', { state: 'detached' });
    expect(visitor.errors).toEqual([]);
  });
});
