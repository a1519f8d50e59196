import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { api, RawSse } from '../helpers/sse.ts';

let server: NodeServer;

beforeAll(async () => {
  server = await startServer({}, { dashboardRefreshMs: 20, sparklinePoints: 5 });
});
afterAll(() => server.shutdown());

const latest = (raw: RawSse, name: string) => raw.events.filter((e) => e.event === name).at(-1)?.data ?? '';
const valueOf = (html: string) => /<span class="metric">([^<]*)<\/span>/.exec(html)?.[1];

describe('SPEC 4.4 dashboard page', () => {
  it('renders one card per metric with the sse-swap contract, built-ins first', async () => {
    await api(server.url, '/api/metrics', { name: 'orders-today', value: 1247 });
    const page = await (await fetch(`${server.url}/dashboard`)).text();
    expect(page).toContain('sse-connect="/events?topics=dashboard"');
    for (const name of ['active-users', 'messages-today', 'rooms-active', 'orders-today']) {
      expect(page).toMatch(new RegExp(`<div class="metric-card" id="card-${name}"><h2>[^<]+</h2><div id="${name}" sse-swap="${name}" hx-swap="innerHTML"><span class="metric">`));
    }
    expect(page.indexOf('card-active-users')).toBeLessThan(page.indexOf('card-orders-today'));
    expect(page).toContain('<svg class="sparkline"');
    expect(page).not.toMatch(/style=/);
  });
});

describe('SPEC 4.4 live dashboard over SSE', () => {
  it('pushes each update as the formatted value plus a server-rendered SVG sparkline of recent values', async () => {
    const u = await newUser(server.url, 'Dee');
    const raw = await RawSse.open(`${server.url}/events?topics=dashboard`, { cookie: u.cookie });
    await raw.waitFor((r) => r.events.some((e) => e.event === 'notification-count'));
    for (const value of [10, 30, 20, 50, 40, 60]) await api(server.url, '/api/metrics', { name: 'spark', value, format: 'currency' });
    await raw.waitFor((r) => valueOf(latest(r, 'spark')) === '$60.00');
    const update = latest(raw, 'spark');
    expect(update).toMatch(/^<span class="metric">\$60\.00<\/span><svg class="sparkline" viewBox="0 0 100 30"[^>]*><polyline points="[^"]+"/);
    // Five recent points (sparklinePoints), oldest dropped.
    expect(/points="([^"]+)"/.exec(update)![1]!.split(' ')).toHaveLength(5);
    expect(update).toContain('from $20.00 to $60.00');
    expect(update).not.toContain('style=');
    raw.close();
  });

  it('sends a card for a metric first seen while the page is open', async () => {
    const u = await newUser(server.url, 'Eve');
    const raw = await RawSse.open(`${server.url}/events?topics=dashboard`, { cookie: u.cookie });
    await raw.waitFor((r) => r.events.some((e) => e.event === 'notification-count'));
    const from = raw.events.length;
    await api(server.url, '/api/metrics', { name: 'brand-new', value: 0.5, format: 'percent', label: 'Brand <new>' });
    await raw.waitFor((r) => r.events.slice(from).some((e) => e.event === 'brand-new'));
    const fresh = raw.events.slice(from);
    const grid = fresh.find((e) => e.event === 'dashboard')!;
    expect(fresh.indexOf(grid)).toBeLessThan(fresh.findIndex((e) => e.event === 'brand-new'));
    expect(grid.data).toContain('<div class="metric-card" id="card-brand-new"><h2>Brand &lt;new&gt;</h2><div id="brand-new" sse-swap="brand-new" hx-swap="innerHTML">');
    expect(grid.data).toContain('id="card-active-users"');
    expect(valueOf(latest(raw, 'brand-new'))).toBe('0.5%');
    // A later value of a known metric does not resend the cards.
    const before = raw.events.length;
    await api(server.url, '/api/metrics', { name: 'brand-new', value: 12 });
    await raw.waitFor((r) => valueOf(latest(r, 'brand-new')) === '12%');
    expect(raw.events.slice(before).map((e) => e.event)).toEqual(['brand-new']);
    raw.close();
  });

  it('computes active-users, messages-today and rooms-active from the live system', async () => {
    // Its own server, so that streams of the other tests still closing do not move the counts.
    const server = await startServer({}, { dashboardRefreshMs: 20 });
    const watcher = await newUser(server.url, 'Wat');
    const raw = await RawSse.open(`${server.url}/events?topics=dashboard`, { cookie: watcher.cookie });
    await raw.waitFor((r) => r.events.some((e) => e.event === 'notification-count'));
    const users = Number(valueOf(latest(raw, 'active-users')));
    const messages = Number(valueOf(latest(raw, 'messages-today')));
    const rooms = Number(valueOf(latest(raw, 'rooms-active')));

    const chatter = await newUser(server.url, 'Chat');
    const socket = await SocketClient.connect(wsUrl(server.url, `/chat/metrics-${process.pid}/ws`), { cookie: chatter.cookie });
    await socket.waitForText('chat-messages');
    await raw.waitFor((r) => Number(valueOf(latest(r, 'active-users'))) === users + 1 && Number(valueOf(latest(r, 'rooms-active'))) === rooms + 1);
    socket.sendMessage('counted');
    await raw.waitFor((r) => Number(valueOf(latest(r, 'messages-today'))) === messages + 1);
    socket.close();
    await raw.waitFor((r) => Number(valueOf(latest(r, 'active-users'))) === users && Number(valueOf(latest(r, 'rooms-active'))) === rooms);
    expect(users).toBe(1);
    raw.close();
    await server.shutdown();
  });
});
