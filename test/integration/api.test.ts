import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { api } from '../helpers/sse.ts';

let server: NodeServer;

beforeAll(async () => {
  server = await startServer({}, { maxMetrics: 6 });
});
afterAll(() => server.shutdown());

const expectError = async (res: Response, status: number, mentions: string | RegExp) => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = await res.json();
  expect(Object.keys(body)).toEqual(['error']);
  if (typeof mentions === 'string') expect(body.error).toContain(mentions);
  else expect(body.error).toMatch(mentions);
};

describe('SPEC 5 API authentication', () => {
  it('answers 401 JSON to a missing, malformed or wrong token on every route', async () => {
    for (const path of ['/api/metrics', '/api/notify', '/api/rooms/general/messages']) {
      await expectError(await fetch(`${server.url}${path}`, { method: 'POST', body: '{}' }), 401, 'Authorization');
      await expectError(await api(server.url, path, {}, 'wrong-token'), 401, 'wrong API token');
      const basic = await fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: 'Basic dGVzdA==' }, body: '{}' });
      await expectError(basic, 401, 'wrong API token');
    }
    await expectError(await fetch(`${server.url}/metrics`), 401, 'Authorization');
  });

  it('answers 503 JSON with a clear message when API_TOKEN is not set', async () => {
    const open = await startServer({ API_TOKEN: '' });
    try {
      await expectError(await api(open.url, '/api/metrics', { name: 'x', value: 1 }), 503, 'API_TOKEN is not set');
      await expectError(await api(open.url, '/api/notify', { user: 'x', text: 'y' }), 503, 'API_TOKEN is not set');
      await expectError(await fetch(`${open.url}/metrics`, { headers: { authorization: 'Bearer anything' } }), 503, 'API_TOKEN');
    } finally {
      await open.shutdown();
    }
  });

  it('is not subject to the cookie CSRF check (machine to machine)', async () => {
    const res = await fetch(`${server.url}/api/metrics`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-api-token-0123456789', 'content-type': 'application/x-www-form-urlencoded', origin: 'https://ci.example' },
      body: JSON.stringify({ name: 'csrf-free', value: 1 }),
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('SPEC 5 POST /api/metrics', () => {
  it('accepts one metric or a batch with 204', async () => {
    expect((await api(server.url, '/api/metrics', { name: 'orders-today', value: 1247 })).status).toBe(204);
    const batch = { metrics: [{ name: 'revenue', value: 1234.5, label: 'Revenue', format: 'currency' }, { name: 'conversion', value: 3.25, format: 'percent' }] };
    expect((await api(server.url, '/api/metrics', batch)).status).toBe(204);
    const page = await (await fetch(`${server.url}/dashboard`)).text();
    expect(page).toContain('<span class="metric">1,247</span>');
    expect(page).toContain('<span class="metric">$1,234.50</span>');
    expect(page).toContain('<span class="metric">3.3%</span>');
  });

  it('answers every kind of bad input with 400 JSON naming the field', async () => {
    const cases: Array<[unknown, string | RegExp]> = [
      ['{"name": "x", ', /not valid JSON/],
      ['', /empty/],
      ['[1,2]', /JSON object/],
      [{ value: 1 }, '"name" is required'],
      [{ name: 42, value: 1 }, '"name" must be a string'],
      [{ name: 'Orders Today', value: 1 }, '"name" must be 1–64 characters of a-z, 0-9, _ and -'],
      [{ name: 'a'.repeat(65), value: 1 }, '"name" must be 1–64'],
      [{ name: 'x' }, '"value" is required'],
      [{ name: 'x', value: '12' }, '"value" must be a finite number'],
      [{ name: 'x', value: 1, format: 'hex' }, '"format" must be one of'],
      [{ name: 'x', value: 1, label: 7 }, '"label" must be a string'],
      [{ name: 'x', value: 1, label: 'l'.repeat(65) }, '"label" is 65 characters long; the limit is 64'],
      [{ name: 'x', value: 1, colour: 'red' }, 'unknown field "colour"'],
      [{ name: 'active-users', value: 1 }, /reserved: it is a built-in metric/],
      [{ name: 'notification-count', value: 1 }, /reserved: it is used by the page/],
      [{ name: 'card-x', value: 1 }, /reserved/],
      [{ metrics: 'no' }, '"metrics" must be an array'],
      [{ metrics: [] }, '"metrics" is empty'],
      [{ metrics: [{ name: 'ok', value: 1 }, { name: 'ok', value: 'x' }] }, '"metrics[1].value" must be a finite number'],
      [{ metrics: [{ name: 'ok', value: 1, extra: 1 }] }, 'unknown field "metrics[0].extra"'],
      [{ metrics: [5] }, '"metrics[0]" must be a JSON object'],
      [{ metrics: [], name: 'x' }, 'unknown field "name"'],
    ];
    for (const [body, mentions] of cases) await expectError(await api(server.url, '/api/metrics', body), 400, mentions);
    const list = await (await fetch(`${server.url}/dashboard`)).text();
    expect(list).not.toContain('id="card-ok"');
  });

  it('refuses a metric past the maximum number of metrics', async () => {
    let refused: Response | undefined;
    for (let i = 0; i < 7 && !refused; i++) {
      const res = await api(server.url, '/api/metrics', { name: `filler-${i}`, value: i });
      if (res.status !== 204) refused = res;
    }
    await expectError(refused!, 400, /"name": the dashboard holds at most 6 metrics/);
    expect((await api(server.url, '/api/metrics', { name: 'filler-0', value: 9 })).status).toBe(204);
  });

  it('answers 413 JSON to bodies over 64 KiB', async () => {
    const big = JSON.stringify({ name: 'x', value: 1, label: 'y'.repeat(70 * 1024) });
    await expectError(await api(server.url, '/api/metrics', big), 413, '64 KiB');
    await expectError(await api(server.url, '/api/notify', big), 413, '64 KiB');
  });
});

describe('SPEC 5 POST /api/notify', () => {
  it('answers bad input with 400 JSON naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ text: 'hi' }, '"user" is required'],
      [{ user: 5, text: 'hi' }, '"user" must be a string'],
      [{ user: 'bad id!', text: 'hi' }, '"user" must be a user id'],
      [{ all: 'yes', text: 'hi' }, '"all" must be true'],
      [{ all: true, user: 'abc', text: 'hi' }, 'either "user" or "all"'],
      [{ user: 'abc' }, '"text" is required'],
      [{ user: 'abc', text: 3 }, '"text" must be a string'],
      [{ user: 'abc', text: '   ' }, '"text" is empty'],
      [{ user: 'abc', text: 'x'.repeat(2001) }, '"text" is 2001 characters long; the limit is 2000'],
      [{ user: 'abc', text: 'hi', level: 'fatal' }, '"level" must be one of'],
      [{ user: 'abc', text: 'hi', urgent: true }, 'unknown field "urgent"'],
      ['nope', 'not valid JSON'],
    ];
    for (const [body, mentions] of cases) await expectError(await api(server.url, '/api/notify', body), 400, mentions);
  });

  it('stores the notification and answers 202', async () => {
    const u = await newUser(server.url, 'Nia');
    const res = await api(server.url, '/api/notify', { user: u.userId, text: 'x'.repeat(2000) });
    expect(res.status).toBe(202);
    expect((await res.json()).notified).toBe(1);
    const page = await (await fetch(`${server.url}/notifications`, { headers: { cookie: u.cookie } })).text();
    expect(page).toContain('x'.repeat(2000));
  });
});

describe('SPEC 5 POST /api/rooms/:room/messages', () => {
  it('stores a bot message, then broadcasts it to the room; 201', async () => {
    const room = `bots-${process.pid}`;
    const u = await newUser(server.url, 'Ola');
    const socket = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: u.cookie });
    await socket.waitForText('chat-messages');
    const res = await api(server.url, `/api/rooms/${room}/messages`, { name: 'deploy-bot', text: 'Build <ok>' });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const frame = await socket.waitForText('deploy-bot');
    expect(frame).toMatch(new RegExp(`<div class="message" id="msg-${id}" data-user-id="[^"]+"><strong>deploy-bot:</strong> Build &lt;ok&gt;`));
    const page = await (await fetch(`${server.url}/chat/${room}`, { headers: { cookie: u.cookie } })).text();
    expect(page).toContain(`id="msg-${id}"`);
    socket.close();
  });

  it('answers bad rooms, names and texts with 400 JSON naming the field', async () => {
    await expectError(await api(server.url, '/api/rooms/Bad%20Room/messages', { name: 'bot', text: 'x' }), 400, 'room');
    const cases: Array<[unknown, string]> = [
      [{ text: 'x' }, '"name" is required'],
      [{ name: 'Deploy Bot', text: 'x' }, '"name" must be 1–64 characters'],
      [{ name: 'bot' }, '"text" is required'],
      [{ name: 'bot', text: 'y'.repeat(2001) }, '"text" is 2001 characters long'],
      [{ name: 'bot', text: 'x', room: 'other' }, 'unknown field "room"'],
      [{ name: ['bot'], text: 'x' }, '"name" must be a string'],
    ];
    for (const [body, mentions] of cases) await expectError(await api(server.url, '/api/rooms/general/messages', body), 400, mentions);
  });
});

describe('SPEC 5 GET /metrics and /healthz', () => {
  it('serves the counters in Prometheus text format', async () => {
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer test-api-token-0123456789' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    for (const name of ['switchboard_open_websockets', 'switchboard_open_sse_streams', 'switchboard_messages_total', 'switchboard_events_sent_total', 'switchboard_slow_clients_dropped_total']) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (gauge|counter)$`, 'm'));
      expect(text).toMatch(new RegExp(`^${name} \\d+$`, 'm'));
    }
    expect(Number(/^switchboard_messages_total (\d+)$/m.exec(text)![1])).toBeGreaterThanOrEqual(1);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('answers unknown API routes with 404 JSON', async () => {
    await expectError(await api(server.url, '/api/nothing', {}), 404, 'no API route POST /api/nothing');
  });
});
