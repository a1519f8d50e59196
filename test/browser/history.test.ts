import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { BrowserUser, expectMajor, htmxEnv, MAJORS, statusIs } from '../helpers/browser.ts';
import { startServer } from '../helpers/server.ts';


const texts = (page: import('playwright-core').Page) =>
  page.locator('#chat-messages .message').evaluateAll((els) => els.map((el) => el.textContent!.split(':')[1]!.trim().split(' ')[0]));

describe.each(MAJORS)('SPEC 4.2 bounded DOM and Load older (htmx %i)', (major) => {
  let server: NodeServer;
  let user: BrowserUser;
  beforeAll(async () => {
    server = await startServer({ HISTORY_LIMIT: '3', ...htmxEnv(major) });
    user = await BrowserUser.launch();
  });
  afterAll(async () => {
    await user?.close();
    await server?.shutdown();
  });

  it('keeps HISTORY_LIMIT messages in the DOM and pages back from the oldest one shown', async () => {
    const page = await user.openNamed(`${server.url}/chat/paging`, 'Pat');
    await statusIs(page, 'Connected');
    await expectMajor(page, major);
    for (let i = 1; i <= 6; i++) {
      await page.fill('#chat-form input[name=message]', `m${i}`);
      await page.press('#chat-form input[name=message]', 'Enter');
      await page.waitForSelector(`#chat-messages .message:has-text("m${i}")`);
    }
    await page.waitForFunction(() => document.querySelectorAll('#chat-messages .message').length === 3);
    expect(await texts(page)).toEqual(['m4', 'm5', 'm6']);

    await page.click('#load-older button');
    await page.waitForSelector('#chat-messages .message:has-text("m1")');
    expect(await texts(page)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect(await page.locator('#load-older').textContent()).toContain('start of #paging');

    // A new message trims the oldest message shown, not one in the middle, and offers older history again.
    await page.fill('#chat-form input[name=message]', 'm7');
    await page.press('#chat-form input[name=message]', 'Enter');
    await page.waitForSelector('#chat-messages .message:has-text("m7")');
    await page.waitForFunction(() => document.querySelectorAll('#chat-messages .message').length === 6);
    expect(await texts(page)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    await page.click('#load-older button');
    await page.waitForSelector('#chat-messages .message:has-text("m1")');
    expect(await texts(page)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(user.errors).toEqual([]);
  });
});
