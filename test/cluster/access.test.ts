import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SocketClient } from '../helpers/clients.ts';
import { joinRoom, spawnInstance } from '../helpers/cluster.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { TEST_TOKEN, type ChildServer } from '../helpers/server.ts';
import { RawSse } from '../helpers/sse.ts';
import { hs256, HOST_AUTH_ENV, signIn } from '../helpers/host-tokens.ts';

let redis: RedisServer;
let a: ChildServer;
let b: ChildServer;
const open: SocketClient[] = [];
const track = (client: SocketClient) => (open.push(client), client);
let counter = 0;
const fresh = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

const request = (server: ChildServer, method: string, path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([spawnInstance(redis.url, HOST_AUTH_ENV), spawnInstance(redis.url, HOST_AUTH_ENV)]);
});

afterAll(async () => {
  for (const client of open) client.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
});

describe('SPEC 9 cluster: private rooms and disconnects across instances', () => {
  it('shares membership through Redis: a member added on A enters on B, a removal on A closes the socket on B at once', async () => {
    const room = fresh('flagged');
    const member = await signIn(a.url, await hs256({ sub: fresh('member'), name: 'Mia' }));
    const stayer = await signIn(b.url, await hs256({ sub: fresh('stayer'), name: 'Sol' }));
    expect((await request(a, 'PUT', `/api/rooms/${room}`, { private: true })).status).toBe(204);
    expect((await fetch(`${b.url}/chat/${room}`, { headers: { cookie: member.cookie } })).status).toBe(403);
    for (const user of [member, stayer]) expect((await request(a, 'PUT', `/api/rooms/${room}/members/${user.userId}`)).status).toBe(204);
    expect(await (await request(b, 'GET', `/api/rooms/${room}/members`)).json()).toEqual({ private: true, members: [member.userId, stayer.userId].sort() });

    const onB = track(await joinRoom(b, room, member));
    const alsoOnA = track(await joinRoom(a, room, member));
    const stayerOnB = track(await joinRoom(b, room, stayer));
    expect((await request(a, 'DELETE', `/api/rooms/${room}/members/${member.userId}`)).status).toBe(204);
    for (const client of [onB, alsoOnA]) {
      await client.waitForText('no longer a member');
      expect(await client.closed).toBe(1008);
    }
    expect((await fetch(`${b.url}/chat/${room}`, { headers: { cookie: member.cookie } })).status).toBe(403);
    expect(stayerOnB.closeCode).toBeUndefined();
  });

  it('ends every socket and stream of a user on every instance and counts them all', async () => {
    const user = await signIn(a.url, await hs256({ sub: fresh('leaver'), name: 'Lee', rooms: ['team-*'] }));
    const other = await signIn(b.url, await hs256({ sub: fresh('other') }));
    const sockets = [
      track(await joinRoom(a, fresh('team'), user)),
      track(await joinRoom(b, fresh('pub'), user)),
      track(await joinRoom(b, fresh('pub'), user)),
    ];
    const streams = await Promise.all([a, b].map((server) => RawSse.open(`${server.url}/events`, { cookie: user.cookie })));
    for (const stream of streams) await stream.waitFor((raw) => raw.events.some((e) => e.event === 'notification-count'), 10_000);
    const otherStream = await RawSse.open(`${a.url}/events`, { cookie: other.cookie });

    const res = await request(b, 'POST', `/api/users/${user.userId}/disconnect`);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ closed: 5 });
    for (const client of sockets) expect(await client.closed).toBe(1008);
    for (const stream of streams) await stream.waitFor((raw) => raw.ended, 10_000);
    expect(otherStream.ended).toBe(false);
    otherStream.close();
  });

  it('makes a token single-use across instances', async () => {
    const token = await hs256({ sub: fresh('once'), jti: fresh('jti') });
    expect((await fetch(`${a.url}/auth?token=${token}`, { redirect: 'manual' })).status).toBe(303);
    expect((await fetch(`${b.url}/auth?token=${token}`, { redirect: 'manual' })).status).toBe(401);
  });
});
