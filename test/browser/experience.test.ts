import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { NodeServer } from '../../app/platform/node.ts';
import { expectMajor, htmxEnv, MAJORS, SharedBrowser, statusIs } from '../helpers/browser.ts';
import { startServer, TEST_TOKEN } from '../helpers/server.ts';

let server: NodeServer;
let browser: SharedBrowser;

beforeAll(async () => {
  browser = await SharedBrowser.launch();
});
afterAll(async () => {
  await browser?.close();
});

async function api(path: string, body: unknown): Promise<Response> {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** Distance in px between the bottom of the log's content and the bottom of its visible area. */
const gapBelow = (page: Page, log = '#chat-messages') =>
  page.$eval(log, (el) => el.scrollHeight - el.scrollTop - el.clientHeight);

const userIdOf = (page: Page) => page.getAttribute('header', 'data-user-id') as Promise<string>;

// The same behaviour, assertion for assertion, on pages of either htmx major (SPEC §8).
describe.each(MAJORS)('htmx %i pages', (major) => {
  beforeAll(async () => {
    server = await startServer(htmxEnv(major));
  });
  afterAll(async () => {
    await server?.shutdown();
  });

  describe('SPEC 4.7 logs open at the newest line and follow it', () => {
    it('opens at the bottom, keeps a reader who scrolled up where they are, offers "New messages", and always shows my own', async () => {
      for (let i = 1; i <= 60; i++) await api('/api/rooms/scroll/messages', { name: 'bot', text: `line ${i}` });
      const alice = await browser.person({ viewport: { width: 1280, height: 800 } });
      const page = await alice.openNamed(`${server.url}/chat/scroll`, 'Alice');
      await statusIs(page, 'Connected');
      await expectMajor(page, major);
      await page.waitForSelector('#chat-messages .message:has-text("line 60")');
      expect(await gapBelow(page)).toBeLessThan(2);
      expect(await page.isVisible('#chat-messages .message:has-text("line 60")')).toBe(true);

      // At the bottom: a new line is followed.
      await api('/api/rooms/scroll/messages', { name: 'bot', text: 'line 61' });
      await page.waitForSelector('#chat-messages .message:has-text("line 61")');
      await page.waitForFunction(() => {
        const el = document.getElementById('chat-messages')!;
        return el.scrollHeight - el.scrollTop - el.clientHeight < 2;
      });

      // Scrolled up: the position stays and the control appears.
      await page.$eval('#chat-messages', (el) => (el.scrollTop = 0));
      await page.waitForTimeout(50);
      await api('/api/rooms/scroll/messages', { name: 'bot', text: 'line 62' });
      await page.waitForSelector('#chat-messages .message:has-text("line 62")', { state: 'attached' });
      const jump = page.locator('.jump-latest');
      await jump.waitFor({ state: 'visible' });
      expect(await page.$eval('#chat-messages', (el) => el.scrollTop)).toBe(0);
      await jump.click();
      expect(await gapBelow(page)).toBeLessThan(2);
      expect(await jump.isVisible()).toBe(false);

      // My own message scrolls into view even from the top.
      await page.$eval('#chat-messages', (el) => (el.scrollTop = 0));
      await page.waitForTimeout(50);
      await page.fill('#message-input', 'mine, from the top');
      await page.press('#message-input', 'Enter');
      const own = page.locator('#chat-messages .message.own', { hasText: 'mine, from the top' });
      await own.waitFor();
      await page.waitForFunction(() => {
        const el = document.getElementById('chat-messages')!;
        return el.scrollHeight - el.scrollTop - el.clientHeight < 2;
      });
      expect(await own.isVisible()).toBe(true);
      expect(alice.errors).toEqual([]);
      await alice.context.close();
    });
  });

  describe('SPEC 4.3 and 4.7 a tab in the background', () => {
    it('keeps its socket, so a lobby player does not leave and a chat reader stays online while looking at another tab', async () => {
      const gina = await browser.person();
      const page = await gina.openNamed(`${server.url}/lobby/background`, 'Gina');
      await statusIs(page, 'Connected');
      await page.waitForSelector('#player-list .player:has-text("Gina (Not Ready)")');
      // Every close of a WebSocket the page asks for, as it asks (htmx 4's hx-ws closes a hidden tab's socket by default).
      const closes = await page.evaluate(() => {
        (window as unknown as { wsCloses: number }).wsCloses = 0;
        const close = WebSocket.prototype.close;
        WebSocket.prototype.close = function (this: WebSocket, ...args: Parameters<WebSocket['close']>) {
          (window as unknown as { wsCloses: number }).wsCloses++;
          return close.apply(this, args);
        };
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
        return (window as unknown as { wsCloses: number }).wsCloses;
      });
      expect(closes).toBe(0);
      await page.evaluate(() => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await statusIs(page, 'Connected');
      expect(await page.evaluate(() => (window as unknown as { wsCloses: number }).wsCloses)).toBe(0);
      expect(gina.errors).toEqual([]);
      await gina.context.close();
    });
  });

  describe('SPEC 4.7 toasts', () => {
    it('shows the level in words and a close button, leaves after about 6 s unless hovered, and links to its source', async () => {
      const bob = await browser.person({ viewport: { width: 1280, height: 800 } });
      await bob.context.clock.install();
      const page = await bob.openNamed(`${server.url}/chat/toasts`, 'Bobby');
      await statusIs(page, 'Connected');
      const me = await userIdOf(page);
      expect(await page.isVisible('#notif-count > span')).toBe(false); // a 0 badge is hidden

      await api('/api/notify', { user: me, text: 'Your build passed', level: 'success' });
      const toast = page.locator('.toast', { hasText: 'Your build passed' });
      await toast.waitFor();
      await page.locator('#notif-count > span').waitFor({ state: 'visible' });
      expect(await toast.getAttribute('data-level')).toBe('Success');
      expect(await toast.evaluate((el) => getComputedStyle(el, '::before').content)).toBe('"Success"');
      expect(await toast.locator('a.toast-link').getAttribute('href')).toBe('/notifications');
      // Below the header's controls, never over them.
      const header = (await page.locator('header').boundingBox())!;
      expect((await toast.boundingBox())!.y).toBeGreaterThanOrEqual(header.y + header.height);

      // Hovered: it stays however long; left alone: it goes after about 6 s.
      await toast.hover();
      await page.clock.runFor(20_000);
      expect(await toast.isVisible()).toBe(true);
      await page.mouse.move(5, 400);
      await page.clock.runFor(5_000);
      expect(await toast.isVisible()).toBe(true);
      await page.clock.runFor(7_000);
      expect(await toast.isVisible()).toBe(false);

      // Focused (keyboard): it stays; Escape or the close button dismisses it.
      await api('/api/notify', { user: me, text: 'Disk almost full', level: 'warning' });
      const second = page.locator('.toast', { hasText: 'Disk almost full' });
      await second.waitFor();
      await second.locator('.toast-close').focus();
      await page.clock.runFor(30_000);
      expect(await second.isVisible()).toBe(true);
      expect(await second.locator('.toast-close').getAttribute('aria-label')).toBe('Dismiss notification');
      await page.keyboard.press('Enter');
      expect(await second.isVisible()).toBe(false);

      // A mention opens its room.
      const alice = await browser.person();
      const pageA = await alice.openNamed(`${server.url}/chat/toasts`, 'Alicia');
      await statusIs(pageA, 'Connected');
      await pageA.fill('#message-input', 'look here @Bobby');
      await pageA.press('#message-input', 'Enter');
      const mention = page.locator('.toast', { hasText: 'Alicia mentioned you in #toasts' });
      await mention.waitFor();
      expect(await mention.locator('a.toast-link').getAttribute('href')).toBe('/chat/toasts');
      // The message itself is marked as a mention of me, not as mine.
      await page.waitForSelector('#chat-messages .message.mention:has-text("look here @Bobby")');
      await Promise.all([page.waitForURL(`${server.url}/chat/toasts`), mention.click()]);
      expect(bob.errors).toEqual([]);
      await Promise.all([alice.context.close(), bob.context.close()]);
    });
  });

  describe('SPEC 3 rename from the header', () => {
    it('shows the new name in presence, the lobby and later messages for everyone; sent messages keep theirs; a refused name keeps what was typed', { timeout: 120_000 }, async () => {
      const [carol, dave] = await Promise.all([browser.person(), browser.person()]);
      const pageC = await carol.openNamed(`${server.url}/chat/names`, 'Carol');
      const lobbyC = await carol.open(`${server.url}/lobby/names`);
      const pageD = await dave.openNamed(`${server.url}/chat/names`, 'Dave');
      const lobbyD = await dave.open(`${server.url}/lobby/names`);
      for (const page of [pageC, pageD, lobbyC, lobbyD]) await statusIs(page, 'Connected');
      await pageC.fill('#message-input', 'before the rename');
      await pageC.press('#message-input', 'Enter');
      await pageD.waitForSelector('#chat-messages .message:has-text("before the rename")');
      await lobbyD.waitForSelector('#player-list .player:has-text("Carol (Not Ready)")');

      // Keyboard only: open the name menu, type, Enter.
      await pageC.focus('#identity summary');
      await pageC.keyboard.press('Enter');
      await pageC.waitForFunction(() => document.activeElement?.id === 'rename-form-input');
      await pageC.keyboard.press('Control+A');
      await pageC.keyboard.type('Caroline');
      await pageC.keyboard.press('Enter');
      await pageC.waitForSelector('#identity .user-name:has-text("Caroline")');

      await pageD.waitForSelector('#presence li:has-text("Caroline")');
      expect(await pageD.locator('#presence li', { hasText: /^C?Carol$/ }).count()).toBe(0);
      await lobbyD.waitForSelector('#player-list .player:has-text("Caroline (Not Ready)")');
      await pageC.fill('#message-input', 'after the rename');
      await pageC.press('#message-input', 'Enter');
      const after = pageD.locator('#chat-messages .message', { hasText: 'after the rename' });
      await after.waitFor();
      expect(await after.locator('strong').textContent()).toBe('Caroline:');
      expect(await pageD.locator('#chat-messages .message', { hasText: 'before the rename' }).locator('strong').textContent()).toBe('Carol:');

      // A refused name: the text stays in the field with the error beside it.
      await pageC.click('#identity summary');
      const long = 'x'.repeat(40);
      await pageC.$eval('#rename-form-input', (el) => el.removeAttribute('maxlength'));
      await pageC.fill('#rename-form-input', long);
      await pageC.press('#rename-form-input', 'Enter');
      await pageC.waitForSelector('#rename-form .form-error');
      expect(await pageC.inputValue('#rename-form-input')).toBe(long);
      expect(await pageC.getAttribute('#rename-form-input', 'aria-invalid')).toBe('true');
      expect(await pageC.textContent('#rename-form .form-error')).toContain('at most 32');
      await pageC.waitForFunction(() => document.activeElement?.id === 'rename-form-input');

      // Carol's other tab shows the new name in its header too.
      await lobbyC.waitForSelector('#identity .user-name:has-text("Caroline")');
      // The lobby by keyboard: the ready toggle and the chat form.
      await lobbyC.focus('#ready-form button');
      await lobbyC.keyboard.press('Enter');
      await lobbyD.waitForSelector('#player-list .player:has-text("Caroline (Ready)")');
      await lobbyC.focus('#lobby-message-input');
      await lobbyC.keyboard.type('typed with keys');
      await lobbyC.keyboard.press('Enter');
      await lobbyD.waitForSelector('#chat-log .log-line:has-text("Caroline: typed with keys")');
      await lobbyC.waitForSelector('#chat-log .log-line.own:has-text("typed with keys")');
      await Promise.all([carol.context.close(), dave.context.close()]);
    });
  });

  describe('SPEC 4.7 themes and the phone layout', () => {
    it('follows prefers-color-scheme, and the toggle overrides it and is remembered', async () => {
      const erin = await browser.person({ colorScheme: 'light' });
      const page = await erin.open(`${server.url}/`);
      const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(await background()).toBe('rgb(246, 247, 249)');
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await background()).toBe('rgb(14, 16, 20)');
      expect(await page.getAttribute('#theme-toggle', 'aria-label')).toBe('Switch to light theme');
      await page.click('#theme-toggle');
      expect(await background()).toBe('rgb(246, 247, 249)');
      await page.reload();
      expect(await background()).toBe('rgb(246, 247, 249)');
      expect(await page.getAttribute('html', 'data-theme')).toBe('light');
      await page.keyboard.press('Tab'); // skip link
      await page.focus('#theme-toggle');
      await page.keyboard.press('Enter');
      expect(await background()).toBe('rgb(14, 16, 20)');
      await erin.context.close();
    });

    it('fits a phone: compact header, composer on screen without scrolling, tap targets of at least 44 px', async () => {
      const phone = await browser.person({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      const page = await phone.openNamed(`${server.url}/chat/phone`, 'Frankie');
      await statusIs(page, 'Connected');
      const header = (await page.locator('header').boundingBox())!;
      expect(header.height).toBeLessThanOrEqual(60);
      const composer = (await page.locator('#message-input').boundingBox())!;
      expect(composer.y + composer.height).toBeLessThanOrEqual(844);
      expect(await page.evaluate(() => document.scrollingElement!.scrollHeight)).toBeLessThanOrEqual(844);
      const small = await page.$$eval('header a, header button, header summary, #chat-form button, #chat-form input', (els) =>
        els
          .filter((el) => (el as HTMLElement).offsetParent !== null)
          .map((el) => ({ what: el.outerHTML.slice(0, 60), box: el.getBoundingClientRect() }))
          .filter(({ box }) => box.height < 44 || box.width < 44)
          .map(({ what }) => what),
      );
      expect(small).toEqual([]);
      await phone.context.close();
    });
  });
});
