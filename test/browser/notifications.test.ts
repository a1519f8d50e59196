import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { Page } from 'playwright-core';
import { BrowserUser, expectMajor, htmxEnv, MAJORS, statusIs } from '../helpers/browser.ts';
import { freePort, spawnServer, startServer, tempDir, type ChildServer } from '../helpers/server.ts';
import { api } from '../helpers/sse.ts';
import type { NodeServer } from '../../app/platform/node.ts';
import { sleep } from '../helpers/clients.ts';

let alice: BrowserUser;
let bob: BrowserUser;

/** Fresh browsers for each block, so the console of one block's pages is not another's. */
function launchUsers(): void {
  beforeAll(async () => {
    [alice, bob] = await Promise.all([BrowserUser.launch(), BrowserUser.launch()]);
  });
  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
  });
}

const userIdOf = (page: Page) => page.getAttribute('header', 'data-user-id') as Promise<string>;
const toastCount = (page: Page, text: string) => page.locator('#toast-container .toast', { hasText: text }).count();

describe.each(MAJORS)('SPEC 4.5 notifications in the browser (htmx %i)', (major) => {
  let server: NodeServer;
  launchUsers();
  beforeAll(async () => {
    server = await startServer(htmxEnv(major));
  });
  afterAll(() => server?.shutdown());

  it('shows a toast and the badge to the notified user only, and keeps at most 5 toasts', async () => {
    const pageA = await alice.openNamed(`${server.url}/`, 'Alice');
    const pageB = await bob.openNamed(`${server.url}/`, 'Bob');
    await statusIs(pageA, 'Connected');
    await statusIs(pageB, 'Connected');
    await expectMajor(pageB, major);
    const bobId = await userIdOf(pageB);

    expect((await api(server.url, '/api/notify', { user: bobId, text: 'Your build passed', level: 'success' })).status).toBe(202);
    await pageB.waitForSelector('#toast-container .toast.toast-success[role=alert]:has-text("Your build passed")');
    await pageB.waitForFunction(() => document.querySelector('#notif-count')?.textContent?.trim() === '1');

    for (let i = 2; i <= 7; i++) await api(server.url, '/api/notify', { user: bobId, text: `note ${i}` });
    await pageB.waitForSelector('#toast-container .toast:has-text("note 7")');
    await pageB.waitForFunction(() => document.querySelector('#notif-count')?.textContent?.trim() === '7');
    expect(await pageB.locator('#toast-container .toast').count()).toBe(5);
    expect(await pageB.locator('#toast-container .toast').first().textContent()).toBe('note 7');

    await sleep(300);
    expect(await pageA.locator('#toast-container .toast').count()).toBe(0);
    expect((await pageA.textContent('#notif-count'))?.trim()).toBe('0');

    // Opening /notifications in one tab sets the badge of the other tab to 0.
    const list = await bob.open(`${server.url}/notifications`);
    expect(await list.textContent('#user-id')).toBe(bobId);
    await pageB.waitForFunction(() => document.querySelector('#notif-count')?.textContent?.trim() === '0');
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it('shows every toast sent while the tab was hidden exactly once when it comes back', async () => {
    // A user of their own: no older toasts whose deletes would find nothing on this page.
    const carol = await BrowserUser.launch();
    try {
      await hiddenTabResumes(carol);
    } finally {
      await carol.close();
    }
  });

  async function hiddenTabResumes(user: BrowserUser): Promise<void> {
    const page = await user.openNamed(`${server.url}/dashboard`, 'Carol');
    await statusIs(page, 'Connected');
    const userId = await userIdOf(page);
    await api(server.url, '/api/notify', { user: userId, text: 'seen while visible' });
    await page.waitForSelector('#toast-container .toast:has-text("seen while visible")');
    // htmx 4's hx-sse pauses the stream of a hidden tab and resumes it (Last-Event-ID) when shown; htmx 2's stays open.
    const setHidden = (hidden: boolean) =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await sleep(300);
    for (const text of ['while hidden 1', 'while hidden 2']) await api(server.url, '/api/notify', { user: userId, text });
    await sleep(300);
    await setHidden(false);
    await page.waitForSelector('#toast-container .toast:has-text("while hidden 2")');
    await statusIs(page, 'Connected');
    await api(server.url, '/api/notify', { user: userId, text: 'after coming back' });
    await page.waitForSelector('#toast-container .toast:has-text("after coming back")');
    for (const text of ['seen while visible', 'while hidden 1', 'while hidden 2', 'after coming back']) expect(await toastCount(page, text)).toBe(1);
    expect(user.errors).toEqual([]);
  }
});

describe.each(MAJORS)('SPEC 4.5 and 4.6 notifications across a server restart (htmx %i)', (major) => {
  let child: ChildServer | undefined;
  launchUsers();
  afterAll(() => child?.stop());

  it('shows the toasts sent while the page was disconnected exactly once after the restart', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: `file:${tempDir()}/browser-restart.db`, ...htmxEnv(major) };
    child = await spawnServer(env, port);
    const page = await bob.openNamed(`${child.url}/dashboard`, 'Bob');
    await statusIs(page, 'Connected');
    const bobId = await userIdOf(page);
    await api(child.url, '/api/notify', { user: bobId, text: 'before the restart' });
    await page.waitForSelector('#toast-container .toast:has-text("before the restart")');

    // While it restarts, a stand-in answers 503 (as a load balancer would). htmx 2: the EventSource fails
    // for good and the sse extension opens a new one, which carries the last id in ?lastEventId=
    // (sse-resume.js). htmx 4: hx-sse fetches again with the Last-Event-ID header itself.
    await child.stop();
    const attempts: string[] = [];
    const standIn = http.createServer((req, res) => {
      attempts.push(major === 2 ? (req.url ?? '') : `${req.url} last-event-id: ${req.headers['last-event-id']}`);
      res.writeHead(503, { 'content-type': 'text/plain' }).end('restarting');
    });
    await new Promise<void>((resolve) => standIn.listen(port, '127.0.0.1', resolve));
    await statusIs(page, 'Reconnecting…');
    while (attempts.length < 2) await sleep(100);
    await new Promise<void>((resolve) => standIn.close(() => resolve()));
    standIn.closeAllConnections();
    if (major === 2) expect(attempts.at(-1)).toMatch(/^\/events\?topics=dashboard&lastEventId=[^&]*user%3A\d+/);
    else expect(attempts.at(-1)).toMatch(/^\/events\?topics=dashboard&htmx=4 last-event-id: \S*user:\d+/);
    child = await spawnServer(env, port);
    expect((await api(child.url, '/api/notify', { user: bobId, text: 'during the outage', level: 'warning' })).status).toBe(202);

    await page.waitForSelector('#toast-container .toast.toast-warning:has-text("during the outage")', { timeout: 20_000 });
    await statusIs(page, 'Connected');
    await page.waitForFunction(() => document.querySelector('#notif-count')?.textContent?.trim() === '2');
    await api(child.url, '/api/notify', { user: bobId, text: 'after the restart' });
    await page.waitForSelector('#toast-container .toast:has-text("after the restart")');
    expect(await toastCount(page, 'during the outage')).toBe(1);
    expect(await toastCount(page, 'before the restart')).toBe(1);
    expect(await toastCount(page, 'after the restart')).toBe(1);
    // The outage itself logs failed attempts and the stand-in's 503s (htmx logs each sseError event); nothing else.
    // htmx 4 logs each failed attempt as htmx:sse:error.
    const unexpected = bob.errors.filter((e) => !/ERR_CONNECTION_REFUSED|status of 503|EventSource|^\[object Event\]$|htmx:sse:error/.test(e));
    expect(unexpected, JSON.stringify(unexpected)).toEqual([]);
  }, 90_000);
});
