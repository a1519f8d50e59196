import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { NodeServer } from '../../app/platform/node.ts';
import { expectMajor, htmxEnv, MAJORS, SharedBrowser, statusIs, type Major } from '../helpers/browser.ts';
import { freePort, startServer, tempDir } from '../helpers/server.ts';

let server: NodeServer | undefined;
let browser: SharedBrowser | undefined;
afterAll(async () => {
  await browser?.close();
  await server?.shutdown();
});

/** The page's first WebSocket reconnect delay at most, in ms, however its htmx major spells the setting. */
function firstReconnectDelay(page: Page, major: Major): Promise<number> {
  return page.evaluate((major) => {
    const config = (window as unknown as { htmx: { config: Record<string, unknown> } }).htmx.config;
    if (major === 2) return Math.max(...Array.from({ length: 50 }, () => (config.wsReconnectDelay as (n: number) => number)(0)));
    // htmx 4's hx-ws: reconnectDelay × 2^(attempt−1), ± reconnectJitter of it.
    const ws = config.ws as { reconnectDelay: number; reconnectJitter: number };
    return ws.reconnectDelay * (1 + ws.reconnectJitter);
  }, major);
}

describe.each(MAJORS)('SPEC 4.7 while disconnected (htmx %i)', (major) => {
  afterAll(async () => {
    await server?.shutdown();
    server = undefined;
  });

  it('keeps a message typed offline as pending, sends it once on reconnect, shows the banner, and does not re-announce the log', async () => {
    const env = { PORT: String(await freePort()), DATABASE_URL: `file:${join(tempDir(), 'db.sqlite')}`, ...htmxEnv(major) };
    server = await startServer(env);
    browser ??= await SharedBrowser.launch();
    const alice = await browser.person();
    const page = await alice.openNamed(`${server.url}/chat/offline`, 'Alice');
    await statusIs(page, 'Connected');
    await expectMajor(page, major);
    await page.fill('#message-input', 'hello before');
    await page.press('#message-input', 'Enter');
    await page.waitForSelector('#chat-messages .message:has-text("hello before")');
    expect(await page.isVisible('#offline-banner')).toBe(false);
    // The first reconnect is tried within a quarter second (then 0.5 s, 1 s … up to 30 s).
    expect(await firstReconnectDelay(page, major)).toBeLessThanOrEqual(250);

    // Record, for every change of the log's children, whether it was a live region at that moment.
    await page.evaluate(() => {
      const log = document.getElementById('chat-messages')!;
      (window as unknown as { liveAtChange: string[] }).liveAtChange = [];
      new MutationObserver(() => (window as unknown as { liveAtChange: string[] }).liveAtChange.push(log.getAttribute('aria-live')!)).observe(log, { childList: true });
    });

    await server.shutdown();
    server = undefined;
    await statusIs(page, 'Reconnecting…');
    await page.locator('#offline-banner').waitFor({ state: 'visible' });
    expect(await page.getAttribute('html', 'data-connection')).toBe('offline');
    // Dimmed (the dimming is a CSS transition, so wait for it to take effect rather than sample its first frame).
    await page.waitForFunction(() => Number(getComputedStyle(document.getElementById('chat-messages')!).opacity) < 1, undefined, { timeout: 5_000 });

    await page.fill('#message-input', 'typed while offline');
    await page.press('#message-input', 'Enter');
    const pending = page.locator('#pending-messages .pending', { hasText: 'typed while offline' });
    await pending.waitFor();
    expect(await pending.textContent()).toContain('Not sent yet');
    expect(await page.inputValue('#message-input')).toBe('');
    // Pressing Enter again on an empty field adds nothing.
    await page.press('#message-input', 'Enter');
    expect(await page.locator('#pending-messages .pending').count()).toBe(1);

    server = await startServer(env);
    await statusIs(page, 'Connected', 30_000);
    await page.waitForSelector('#chat-messages .message.own:has-text("typed while offline")', { timeout: 30_000 });
    await page.locator('#pending-messages').waitFor({ state: 'hidden' });
    expect(await page.isVisible('#offline-banner')).toBe(false);

    // Stored exactly once: a fresh page load shows it once.
    const again = await alice.open(`${server.url}/chat/offline`);
    await statusIs(again, 'Connected');
    await again.waitForTimeout(500);
    expect(await again.locator('#chat-messages .message', { hasText: 'typed while offline' }).count()).toBe(1);
    expect(await page.locator('#chat-messages .message', { hasText: 'typed while offline' }).count()).toBe(1);

    // The reconnect snapshot replaced the log while it was not live; the new line came in live.
    const liveAtChange = await page.evaluate(() => (window as unknown as { liveAtChange: string[] }).liveAtChange);
    expect(liveAtChange[0]).toBe('off');
    expect(liveAtChange.at(-1)).toBe('polite');
    // No "[object Event]" noise from the reconnects; the refused connections themselves are the browser's.
    expect(alice.errors.filter((e) => !/ERR_CONNECTION_REFUSED|WebSocket connection to/.test(e))).toEqual([]);
  }, 120_000);
});
