import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { BrowserUser, expectMajor, htmxEnv, MAJORS, statusIs } from '../helpers/browser.ts';
import { startServer } from '../helpers/server.ts';

describe.each(MAJORS)('SPEC 4.2 chat in the browser (htmx %i)', (major) => {
  let server: NodeServer;
  let alice: BrowserUser;
  let bob: BrowserUser;

  beforeAll(async () => {
    server = await startServer(htmxEnv(major));
    [alice, bob] = await Promise.all([BrowserUser.launch(), BrowserUser.launch()]);
  });
  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await server?.shutdown();
  });

  it('lets two people chat, shows markup as text and keeps history across a reload', async () => {
    const pageA = await alice.openNamed(`${server.url}/chat/lounge`, 'Alice');
    const pageB = await bob.openNamed(`${server.url}/chat/lounge`, 'Bob');
    await expectMajor(pageA, major);
    await statusIs(pageA, 'Connected');
    await statusIs(pageB, 'Connected');
    await pageA.waitForSelector('#presence li:has-text("Bob")');

    await pageA.fill('#chat-form input[name=message]', 'Hello Bob');
    await pageA.press('#chat-form input[name=message]', 'Enter');
    await pageB.waitForSelector('#chat-messages .message:has-text("Hello Bob")');
    expect(await pageA.inputValue('#chat-form input[name=message]')).toBe('');

    await pageB.fill('#chat-form input[name=message]', '<script>alert(1)</script>');
    await pageB.click('#chat-form button');
    const shown = pageA.locator('#chat-messages .message', { hasText: '<script>alert(1)</script>' });
    await shown.waitFor();
    expect(await shown.locator('strong').textContent()).toBe('Bob:');
    expect(await pageA.locator('#chat-messages script').count()).toBe(0);

    await pageA.reload();
    await statusIs(pageA, 'Connected');
    await pageA.waitForSelector('#chat-messages .message:has-text("Hello Bob")');
    expect(await pageA.locator('#chat-messages time[datetime]').count()).toBeGreaterThanOrEqual(2);
    expect(alice.errors.filter((e) => !e.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
  });
});
