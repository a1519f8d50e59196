import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { BrowserUser, statusIs } from '../helpers/browser.ts';
import { startServer, TEST_TOKEN } from '../helpers/server.ts';
import { api } from '../helpers/sse.ts';
import { HOST_AUTH_ENV, HOST_SECRET } from '../helpers/host-tokens.ts';
import type { NodeServer } from '../../app/platform/node.ts';

let switchboard: NodeServer;
let host: http.Server;
let hostUrl: string;
let person: BrowserUser;

/**
 * A host application as the README's "Wire it to your app" shows it: it knows its user, signs a
 * short-lived token with jose and redirects the browser to Switchboard's /auth.
 */
function startHostApp(): Promise<void> {
  host = http.createServer(async (req, res) => {
    const token = await new SignJWT({ sub: 'acme-user-7', name: 'Dana', rooms: ['team-ops'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('2m')
      .setJti(crypto.randomUUID())
      .sign(new TextEncoder().encode(HOST_SECRET));
    res.writeHead(302, { location: `${switchboard.url}/auth?token=${token}&next=${encodeURIComponent('/chat/team-ops')}` }).end();
  });
  return new Promise((resolve) => host.listen(0, '127.0.0.1', () => {
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    resolve();
  }));
}

beforeAll(async () => {
  switchboard = await startServer(HOST_AUTH_ENV);
  await startHostApp();
  person = await BrowserUser.launch();
});
afterAll(async () => {
  await person?.close();
  await new Promise((resolve) => host?.close(resolve));
  await switchboard?.shutdown();
});

describe('SPEC 9 host sign-in in the browser', () => {
  it('lands a person from the host app in their private room, where a notification to the host user id appears', async () => {
    const page = await person.open(`${hostUrl}/go`);
    await page.waitForURL(`${switchboard.url}/chat/team-ops`);
    expect(await page.getAttribute('header', 'data-user-id')).toBe('acme-user-7');
    await page.waitForSelector('#identity .user-name:has-text("Dana")');
    await statusIs(page, 'Connected');
    await page.waitForSelector('#presence :text("Dana")');

    const res = await api(switchboard.url, '/api/notify', { user: 'acme-user-7', text: 'Your report is ready', level: 'success' }, TEST_TOKEN);
    expect(res.status).toBe(202);
    await page.waitForSelector('#toast-container .toast.toast-success:has-text("Your report is ready")');

    await page.fill('input[name=message]', 'hello ops');
    await page.press('input[name=message]', 'Enter');
    await page.waitForSelector('#chat-messages :text("hello ops")');

    // Taken out of the room by the host: told why, and the socket is closed for good.
    const removal = await fetch(`${switchboard.url}/api/rooms/team-ops/members/acme-user-7`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(removal.status).toBe(204);
    await page.waitForSelector('#chat-error :text("no longer a member")');
    await statusIs(page, 'Reconnecting…');
    expect(person.errors.filter((error) => !error.includes('WebSocket'))).toEqual([]);
  });
});
