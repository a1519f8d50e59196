import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { NodeServer } from '../../app/platform/node.ts';
import { BrowserUser, expectMajor, statusIs } from '../helpers/browser.ts';
import { freePort, startServer, tempDir } from '../helpers/server.ts';
import { api } from '../helpers/sse.ts';

let server: NodeServer | undefined;
let alice: BrowserUser | undefined;
let bob: BrowserUser | undefined;
afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await server?.shutdown();
});

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#chat-form input[name=message]', text);
  await page.press('#chat-form input[name=message]', 'Enter');
}

const metricIs = (page: Page, name: string, value: string) =>
  page.waitForFunction(([n, v]) => document.querySelector(`#${n} .metric`)?.textContent === v, [name, value], { timeout: 15_000 });

describe('SPEC 8 moving a running deployment from htmx 2 to htmx 4 with a restart', () => {
  it('keeps htmx 2 tabs opened before the restart chatting with new htmx 4 tabs, their dashboards updating, and back again', async () => {
    const base = { PORT: String(await freePort()), DATABASE_URL: `file:${join(tempDir(), 'upgrade.db')}` };
    server = await startServer({ ...base, HTMX_VERSION: '2' });
    [alice, bob] = await Promise.all([BrowserUser.launch(), BrowserUser.launch()]);
    const oldChat = await alice.openNamed(`${server.url}/chat/upgrade`, 'Alice');
    const oldBoard = await alice.open(`${server.url}/dashboard`);
    for (const page of [oldChat, oldBoard]) {
      await statusIs(page, 'Connected');
      await expectMajor(page, 2);
    }
    await say(oldChat, 'before the upgrade');
    await oldChat.waitForSelector('#chat-messages .message:has-text("before the upgrade")');

    await server.shutdown();
    await statusIs(oldChat, 'Reconnecting…');
    server = await startServer({ ...base, HTMX_VERSION: '4' });
    await statusIs(oldChat, 'Connected', 30_000);
    await statusIs(oldBoard, 'Connected', 30_000);

    const newChat = await bob.openNamed(`${server.url}/chat/upgrade`, 'Bob');
    const newBoard = await bob.open(`${server.url}/dashboard`);
    for (const page of [newChat, newBoard]) {
      await statusIs(page, 'Connected');
      await expectMajor(page, 4);
    }
    await newChat.waitForSelector('#chat-messages .message:has-text("before the upgrade")');
    await oldChat.waitForSelector('#presence li:has-text("Bob")');

    await say(oldChat, 'from the old tab');
    await newChat.waitForSelector('#chat-messages .message:has-text("from the old tab")');
    await say(newChat, 'from the new tab');
    await oldChat.waitForSelector('#chat-messages .message:has-text("from the new tab")');
    expect(await oldChat.locator('#chat-messages .message:has-text("from the new tab")').count()).toBe(1);
    expect(await newChat.inputValue('#chat-form input[name=message]')).toBe('');

    expect((await api(server.url, '/api/metrics', { name: 'deploys', value: 7 })).status).toBe(204);
    for (const page of [oldBoard, newBoard]) await metricIs(page, 'deploys', '7');
    await api(server.url, '/api/metrics', { name: 'deploys', value: 8 });
    for (const page of [oldBoard, newBoard]) await metricIs(page, 'deploys', '8');
    expect(await oldBoard.locator('#card-deploys').count()).toBe(1);
    expect(await newBoard.locator('#card-deploys').count()).toBe(1);

    // And back: an htmx 4 tab keeps working after a restart under HTMX_VERSION=2.
    await server.shutdown();
    server = await startServer({ ...base, HTMX_VERSION: '2' });
    await statusIs(newChat, 'Connected', 30_000);
    await statusIs(oldChat, 'Connected', 30_000);
    await say(newChat, 'after the downgrade');
    await oldChat.waitForSelector('#chat-messages .message:has-text("after the downgrade")');
    await api(server.url, '/api/metrics', { name: 'deploys', value: 9 });
    await metricIs(newBoard, 'deploys', '9');

    // The outage itself logs refused connections (htmx 2) and failed reconnects (htmx 4); nothing else.
    const outage = /ERR_CONNECTION_REFUSED|^\[object Event\]$|htmx:(ws|sse):error|WebSocket connection/;
    for (const user of [alice, bob]) expect(user.errors.filter((e) => !outage.test(e))).toEqual([]);
  }, 150_000);
});
