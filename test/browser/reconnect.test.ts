import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { BrowserUser, expectMajor, htmxEnv, MAJORS, statusIs } from '../helpers/browser.ts';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { freePort, startServer, tempDir } from '../helpers/server.ts';

describe.each(MAJORS)('SPEC 4 connection status across a server restart (htmx %i)', (major) => {
  let server: NodeServer | undefined;
  let alice: BrowserUser | undefined;
  afterAll(async () => {
    await alice?.close();
    await server?.shutdown();
  });

  it('shows Reconnecting…, then Connected, and the messages sent meanwhile', async () => {
    const env = { PORT: String(await freePort()), DATABASE_URL: `file:${join(tempDir(), 'db.sqlite')}`, ...htmxEnv(major) };
    server = await startServer(env);
    alice = await BrowserUser.launch();
    const page = await alice.openNamed(`${server.url}/chat/relay`, 'Alice');
    await statusIs(page, 'Connected');
    await expectMajor(page, major);
    expect(await page.getAttribute('#connection-status', 'class')).toContain('connected');

    await server.shutdown();
    await statusIs(page, 'Reconnecting…');
    expect(await page.getAttribute('#connection-status', 'class')).toContain('disconnected');

    server = await startServer(env);
    const bob = await newUser(server.url, 'Bob');
    const client = await SocketClient.connect(wsUrl(server.url, '/chat/relay/ws'), { cookie: bob.cookie });
    await client.waitForText('chat-messages');
    client.sendMessage('sent while you were away');
    await client.waitForText('sent while you were away');

    await page.waitForSelector('#chat-messages .message:has-text("sent while you were away")', { timeout: 30_000 });
    await statusIs(page, 'Connected', 30_000);
    expect(await page.locator('#chat-messages .message:has-text("sent while you were away")').count()).toBe(1);
    client.close();
  }, 90_000);
});
