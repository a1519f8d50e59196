import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { NodeServer } from '../../app/platform/node.ts';
import { BrowserUser, expectMajor, htmxEnv, MAJORS, statusIs } from '../helpers/browser.ts';
import { startServer } from '../helpers/server.ts';

const text = (page: Page, selector: string) => page.locator(selector).innerText();

/** Waits until `selector`'s text is exactly `expected` (whitespace trimmed). */
async function textIs(page: Page, selector: string, expected: string): Promise<void> {
  await page.waitForFunction(
    ([sel, want]) => (document.querySelector(sel!) as HTMLElement | null)?.innerText.trim() === want,
    [selector, expected],
    { timeout: 10_000 },
  );
}

async function playersAre(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll('#player-list .player')].map((el) => el.textContent)) === want,
    JSON.stringify(expected),
    { timeout: 10_000 },
  );
}

describe.each(MAJORS)('SPEC 4.3 lobby in the browser (htmx %i)', (major) => {
  let server: NodeServer;
  let users: BrowserUser[] = [];

  beforeAll(async () => {
    // A beat of a minute holds the match in its "starting!" moment for this test; test/browser/match.test.ts plays one.
    server = await startServer({ LOBBY_GRACE_MS: '2000', MATCH_TEMPO_MS: '60000', ...htmxEnv(major) });
    users = await Promise.all([BrowserUser.launch(), BrowserUser.launch(), BrowserUser.launch()]);
  });
  afterAll(async () => {
    await Promise.all(users.map((user) => user.close()));
    await server?.shutdown();
  });

  it('lets three people gather, get ready, start, chat, reload without noise and see one of them leave', async () => {
    const [alice, bob, charlie] = users as [BrowserUser, BrowserUser, BrowserUser];
    const url = `${server.url}/lobby/arena`;
    const pageA = await alice.openNamed(url, 'Alice');
    await statusIs(pageA, 'Connected');
    await expectMajor(pageA, major);
    const pageB = await bob.openNamed(url, 'Bob');
    await statusIs(pageB, 'Connected');
    const pageC = await charlie.openNamed(url, 'Charlie');
    await statusIs(pageC, 'Connected');
    const pages = [pageA, pageB, pageC];

    for (const page of pages) {
      await playersAre(page, ['Alice (Not Ready)', 'Bob (Not Ready)', 'Charlie (Not Ready)']);
      await textIs(page, '#game-status', '3 players connected — waiting for all to be ready');
    }
    await pageA.waitForSelector('#chat-log p:has-text("Charlie has joined the lobby.")');

    await pageA.click('#ready-form button');
    await pageB.click('#ready-form button');
    for (const page of pages) await playersAre(page, ['Alice (Ready)', 'Bob (Ready)', 'Charlie (Not Ready)']);
    await textIs(pageC, '#game-status', '3 players connected — waiting for all to be ready');
    await pageC.click('#ready-form button');
    for (const page of pages) {
      await playersAre(page, ['Alice (Ready)', 'Bob (Ready)', 'Charlie (Ready)']);
      await textIs(page, '#game-status', 'All 3 players ready — starting!');
    }

    await pageB.fill('#lobby-chat-form input[name=message]', '<b>gl hf</b>');
    await pageB.press('#lobby-chat-form input[name=message]', 'Enter');
    for (const page of pages) await page.waitForSelector('#chat-log p:has-text("<b>gl hf</b>")');
    expect(await pageB.inputValue('#lobby-chat-form input[name=message]')).toBe('');
    expect(await pageA.locator('#chat-log b').count()).toBe(0);

    const logs = await Promise.all(pages.map((page) => text(page, '#chat-log')));
    expect(logs[1]).toBe(logs[0]);
    expect(logs[2]).toBe(logs[0]);
    expect(logs[0]!.split('\n').filter(Boolean)).toEqual([
      'Alice has joined the lobby.',
      'Bob has joined the lobby.',
      'Charlie has joined the lobby.',
      'Alice is ready.',
      'Bob is ready.',
      'Charlie is ready.',
      'Bob: <b>gl hf</b>',
    ]);

    await pageA.reload();
    await statusIs(pageA, 'Connected');
    await playersAre(pageA, ['Alice (Ready)', 'Bob (Ready)', 'Charlie (Ready)']);
    await textIs(pageA, '#game-status', 'All 3 players ready — starting!');
    expect(await text(pageA, '#chat-log')).toBe(logs[0]);

    await pageC.close();
    for (const page of [pageA, pageB]) {
      await page.waitForSelector('#chat-log p:has-text("Charlie has left the lobby.")');
      await playersAre(page, ['Alice (Ready)', 'Bob (Ready)']);
      await textIs(page, '#game-status', 'All 2 players ready — starting!');
    }
    expect(await text(pageB, '#chat-log')).not.toContain('Alice has left');
    for (const user of users) expect(user.errors.filter((e) => !e.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
    // Three browsers, a reload and a grace period: past the default 30 s on a loaded machine.
  }, 60_000);
});
