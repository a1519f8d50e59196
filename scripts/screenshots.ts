// npm run screenshots: starts the app with sample data, then photographs every page in light and dark,
// on a desktop (1280×800) and a phone (390×844), into docs/screenshots/PAGE-THEME-VIEWPORT.png.
// The README shows these files, so they are remade from the real pages whenever the look changes.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { readConfig } from '../app/config.ts';
import { startNode } from '../app/platform/node.ts';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
const TOKEN = 'screenshots-token';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const THEMES = ['light', 'dark'] as const;

const server = await startNode(
  readConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${join(mkdtempSync(join(tmpdir(), 'switchboard-shots-')), 'db.sqlite')}`,
    SESSION_SECRET: 'screenshots-session-secret-0123',
    LOBBY_GRACE_MS: '60000',
    API_TOKEN: TOKEN,
  }),
);
const base = `http://127.0.0.1:${server.port}`;

async function api(path: string, body: unknown): Promise<void> {
  const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
}

/** A named user with a cookie, for sockets that stand for other people. */
async function person(name: string): Promise<string> {
  const res = await fetch(`${base}/`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  await fetch(`${base}/session`, { method: 'POST', headers: { cookie, origin: base, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name }) });
  return cookie;
}

function connect(path: string, cookie: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace('http', 'ws') + path, { headers: { cookie, origin: base } });
    ws.once('message', () => resolve(ws));
    ws.once('error', reject);
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Sample data: a busy room, a lobby with players, metrics, notifications.
const maya = await person('Maya');
const dev = await person('Dev');
const others = [await connect('/chat/general/ws', maya), await connect('/chat/general/ws', dev)];
const say = async (ws: WebSocket, text: string) => {
  ws.send(JSON.stringify({ message: text }));
  await pause(150);
};
await say(others[0]!, 'Morning! The new dashboard cards are live.');
await say(others[0]!, 'Sparklines now show their scale and when they last changed.');
await say(others[1]!, 'Nice. I am rolling out the release at 10:30.');
await api('/api/rooms/general/messages', { name: 'deploy-bot', text: 'Build #1842 passed on main (4 m 12 s).' });
await say(others[1]!, '@Sam can you keep an eye on the error rate after the deploy?');
const lobbyPlayers = [await connect('/lobby/arena/ws', maya), await connect('/lobby/arena/ws', dev)];
lobbyPlayers[0]!.send(JSON.stringify({ action: 'ready' }));
lobbyPlayers[1]!.send(JSON.stringify({ message: 'Ready when you are. Best of five?' }));
const series = [112, 118, 131, 127, 140, 152, 149, 163, 171, 168, 182, 190];
for (const [i, value] of series.entries()) {
  await api('/api/metrics', { metrics: [
    { name: 'orders-today', value: value * 7, label: 'Orders today', format: 'integer' },
    { name: 'revenue', value: value * 61.5, label: 'Revenue', format: 'currency' },
    { name: 'error-rate', value: [0.4, 0.5, 0.3, 0.6, 0.4, 0.9, 1.4, 0.8, 0.5, 0.4, 0.3, 0.35][i]!, label: 'Error rate', format: 'percent' },
  ] });
}

const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
mkdirSync(OUT, { recursive: true });

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForFunction(() => document.getElementById('connection-status')?.textContent?.trim() === 'Connected', null, { timeout: 15_000 });
  await pause(400);
  await page.screenshot({ path: join(OUT, `${name}.png`) });
}

// One person, Sam, in every photograph: the first context names them, the others reuse the cookie.
const sam = await person('Sam');
const me = /data-user-id="([^"]+)"/.exec(await (await fetch(`${base}/`, { headers: { cookie: sam } })).text())![1]!;
const [cookieName, cookieValue] = sam.split('=') as [string, string];
let posted = false;

for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
  for (const theme of THEMES) {
    const context = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1, isMobile: viewportName === 'phone', hasTouch: viewportName === 'phone' });
    await context.addCookies([{ name: cookieName, value: cookieValue, url: base }]);
    const page = await context.newPage();
    const suffix = `${theme}-${viewportName}`;
    await page.goto(`${base}/`);
    await shoot(page, `home-${suffix}`);

    await page.goto(`${base}/chat/general`);
    await page.waitForSelector('#chat-messages .message');
    if (!posted) {
      await page.fill('#chat-form input[name=message]', 'On it. I will post the graphs here.');
      await page.press('#chat-form input[name=message]', 'Enter');
      posted = true;
    }
    await page.waitForSelector('#chat-messages .message.own');
    await api('/api/notify', { user: me, text: 'Deploy of release 2.14 finished', level: 'success' });
    await page.waitForSelector('#toast-container .toast');
    await shoot(page, `chat-${suffix}`);

    await page.goto(`${base}/lobby/arena`);
    await page.waitForSelector('#player-list .player');
    await shoot(page, `lobby-${suffix}`);

    await page.goto(`${base}/dashboard`);
    await page.waitForSelector('#card-revenue');
    await shoot(page, `dashboard-${suffix}`);

    await api('/api/notify', { user: me, text: 'Disk usage on db-2 passed 85%', level: 'warning' });
    await page.goto(`${base}/notifications`);
    await page.waitForSelector('#notification-list');
    await shoot(page, `notifications-${suffix}`);
    await context.close();
  }
}

await browser.close();
for (const ws of [...others, ...lobbyPlayers]) ws.close();
await server.shutdown();
console.log(`screenshots: wrote ${Object.keys(VIEWPORTS).length * THEMES.length * 5} files into docs/screenshots/`);
