import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { NodeServer } from '../../app/platform/node.ts';
import { BrowserUser, expectMajor, htmxEnv, MAJORS, statusIs } from '../helpers/browser.ts';
import { startServer } from '../helpers/server.ts';

const require = createRequire(import.meta.url);
const ROUNDS = 2;

const textOf = (page: Page, selector: string) => page.locator(selector).innerText();
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Serious and critical axe-core violations in the lobby's game regions as they are now (run through the
 * DevTools protocol, outside the page's CSP). The header and the rest of the page are the UI work's to check.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(`${AXE};0`);
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(context: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run({ include: [['.lobby']] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function textIs(page: Page, selector: string, expected: string): Promise<void> {
  await page.waitForFunction(
    ([sel, want]) => (document.querySelector(sel!) as HTMLElement | null)?.innerText.trim() === want,
    [selector, expected],
    { timeout: 15_000 },
  );
}

describe.each(MAJORS)('SPEC 4.3.1 a match in the browser (htmx %i)', (major) => {
  let server: NodeServer;
  let users: BrowserUser[] = [];

  beforeAll(async () => {
    // The default beat: a browser on a loaded machine must see each GO before the round is over.
    server = await startServer({ LOBBY_GRACE_MS: '2000', MATCH_TEMPO_MS: '1000', MATCH_ROUNDS: String(ROUNDS), ...htmxEnv(major) });
    users = await Promise.all([BrowserUser.launch(), BrowserUser.launch()]);
  });
  afterAll(async () => {
    await Promise.all(users.map((user) => user.close()));
    await server?.shutdown();
  });

  it('two people play a match to the end, one from the keyboard', async () => {
    const [alice, bob] = users as [BrowserUser, BrowserUser];
    const url = `${server.url}/lobby/duel`;
    const pageA = await alice.openNamed(url, 'Alice');
    const pageB = await bob.openNamed(url, 'Bob');
    for (const page of [pageA, pageB]) await statusIs(page, 'Connected');
    await expectMajor(pageA, major);
    await pageA.waitForSelector('#chat-log p:has-text("Bob has joined the lobby.")');
    expect(await textOf(pageA, '#arena')).toContain('When every player is ready');

    // Every state the arena passes through, as this page saw it.
    await pageA.evaluate(() => {
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      const statuses: string[] = ((window as unknown as { statuses: string[] }).statuses = []);
      document.addEventListener('htmx:oobAfterSwap', (event) => {
        const target = (event as CustomEvent).detail.target as HTMLElement;
        if (target.id === 'arena') seen.push(target.querySelector('.arena-signal')?.textContent ?? '');
        if (target.id === 'game-status') statuses.push(target.textContent ?? '');
      });
    });
    await pageA.focus('#ready-form button');
    await pageA.keyboard.press('Enter');
    await pageB.waitForSelector('#player-list .player:has-text("Alice (Ready)")');
    await pageB.click('#ready-form button');
    // The match takes the keyboard focus to the big button, and keeps it there as the arena changes.
    await pageA.waitForFunction(() => document.activeElement?.id === 'press-button', null, { timeout: 15_000 });

    for (let round = 1; round <= ROUNDS; round++) {
      await pageA.waitForSelector(`#arena .stage-go:has-text("Round ${round} of ${ROUNDS}")`, { timeout: 15_000 });
      // Bob's page may be slow enough on a loaded machine to see this round's GO only as its result.
      await pageB.waitForSelector(`#arena :is(.stage-go, .stage-result):has-text("Round ${round} of ${ROUNDS}")`, { timeout: 15_000 });
      expect((await pageA.evaluate(() => (window as unknown as { seen: string[] }).seen)).slice(-2)).toEqual(['Wait for it…', 'GO!']);
      expect(await pageA.evaluate(() => document.activeElement?.id)).toBe('press-button');
      expect(await textOf(pageA, '#arena-announce')).toBe('GO!');
      // The press form the match pushed is this major's own (htmx 4: hx-ws:send, not htmx 2's ws-send).
      for (const page of [pageA, pageB]) {
        expect(await page.evaluate(() => [...document.getElementById('press-form')!.attributes].map((a) => a.name).filter((n) => n.includes('ws')))).toEqual([major === 4 ? 'hx-ws:send' : 'ws-send']);
      }
      if (round === 1) expect(await seriousViolations(pageB)).toEqual([]);
      await pageA.keyboard.press('Space');
      await pageA.waitForSelector('#press-note .note-pressed', { timeout: 15_000 });
      await pageB.click('#press-button');
      for (const page of [pageA, pageB]) await page.waitForSelector(`#chat-log p:has-text("Round ${round}:")`, { timeout: 15_000 });
      expect(await pageB.locator('#chat-log p', { hasText: `Round ${round}:` }).innerText()).toMatch(new RegExp(`Round ${round}: Alice wins round ${round} \\(\\+1\\)\\. Alice: \\d+ ms`));
      await pageB.waitForFunction((points) => document.querySelector('#scoreboard .score .score-points')?.textContent === points, String(round));
      expect(await textOf(pageB, '#scoreboard .score:first-child .score-name')).toBe('Alice');
      expect(await textOf(pageB, '#scoreboard .score:last-child .score-name')).toBe('Bob');
    }

    const statuses = await pageA.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
    expect(statuses.slice(0, 6)).toEqual(['3 players connected — waiting for all to be ready'.replace('3', '2'), 'All 2 players ready — starting!', '3', '2', '1', 'Round 1 of 2']);
    for (const page of [pageA, pageB]) {
      await textIs(page, '#game-status', 'Alice wins!');
      await page.waitForSelector('#player-list .player:has-text("Bob (Not Ready)")');
      expect(await textOf(page, '#player-list')).toContain('Alice (Not Ready)');
      await page.waitForSelector('#chat-log p:has-text("Match over: Alice wins with 2 points.")');
    }
    expect(await textOf(pageB, '#arena .arena-signal')).toBe('Alice wins!');
    expect(await seriousViolations(pageA)).toEqual([]);
    await pageA.setViewportSize({ width: 390, height: 844 });
    expect(await seriousViolations(pageA)).toEqual([]);
    for (const user of users) expect(user.errors.filter((e) => !e.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
    // htmx 4 warns when it meets htmx 2 markup (ws-connect, ws-send) it converts: none was sent.
    for (const user of users) expect(user.warnings.filter((w) => w.includes('htmx'))).toEqual([]);
  }, 90_000);
});
