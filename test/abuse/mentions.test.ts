import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import type { NodeServer } from '../../app/platform/node.ts';
import { LibsqlStore } from '../../app/store/libsql.ts';
import { MIGRATIONS } from '../../app/store/schema.ts';
import { MentionCap } from '../../app/realtime/notifier.tsx';
import { newUser, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { api, RawSse } from '../helpers/sse.ts';

/** Issue 10 items 6 and 7: a mention is an index lookup, reaches only people who have been in the room, and is capped. */
let server: NodeServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.shutdown());

const visit = async (room: string, cookie: string) => {
  const client = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie });
  await client.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
  return client;
};
const toasts = (raw: RawSse) => raw.events.filter((e) => e.event === 'new-notification');

describe('SPEC 6: nobody learns a message by picking a display name', () => {
  it('an impostor named ALICE who never joined #ops gets nothing; the Alice who was there is notified', async () => {
    const room = `ops-${process.pid}`;
    const alice = await newUser(server.url, 'alice');
    const impostor = await newUser(server.url, 'ALICE');
    const bob = await newUser(server.url, 'bob');
    (await visit(room, alice.cookie)).close();
    const aliceStream = await RawSse.open(`${server.url}/events`, { cookie: alice.cookie });
    const impostorStream = await RawSse.open(`${server.url}/events`, { cookie: impostor.cookie });
    for (const s of [aliceStream, impostorStream]) await s.waitForEvent((e) => e.event === 'notification-count');
    const chat = await visit(room, bob.cookie);
    chat.sendMessage('@alice the prod db password is hunter2');
    await aliceStream.waitFor(() => toasts(aliceStream).length === 1);
    expect(toasts(aliceStream)[0]!.data).toContain('bob mentioned you in #');
    await sleep(300);
    expect(impostorStream.text).not.toContain('hunter2');
    const page = await (await fetch(`${server.url}/notifications`, { headers: { cookie: impostor.cookie } })).text();
    expect(page).not.toContain('hunter2');
    chat.close();
    aliceStream.close();
    impostorStream.close();
  });

  it('caps the mentions one sender causes one recipient: 10 mentions from 3 sockets give at most 5', async () => {
    const room = `cap-${process.pid}`;
    const victim = await newUser(server.url, 'victim');
    (await visit(room, victim.cookie)).close();
    const stream = await RawSse.open(`${server.url}/events`, { cookie: victim.cookie });
    await stream.waitForEvent((e) => e.event === 'notification-count');
    const spammer = await newUser(server.url, 'spammer');
    const sockets = await Promise.all([0, 1, 2].map(() => visit(room, spammer.cookie)));
    // 10 is the burst; they go out in one go across the three sockets.
    for (let i = 0; i < 10; i++) sockets[i % 3]!.sendMessage(`@victim ping ${i}`);
    await stream.waitFor(() => toasts(stream).length >= 5);
    await sleep(500);
    const cap = server.platform.config.limits.mentionsPerRecipientPerMinute;
    expect(toasts(stream)).toHaveLength(cap);
    // Someone else mentioning the victim is counted separately.
    const friend = await newUser(server.url, 'friend');
    const other = await visit(room, friend.cookie);
    other.sendMessage('@victim hello');
    await stream.waitFor(() => toasts(stream).length === cap + 1);
    for (const s of [...sockets, other]) s.close();
    stream.close();
  });

  it('keeps at most maxNotificationsPerUser stored notifications per user', async () => {
    const target = await newUser(server.url, 'Stored');
    const max = server.platform.config.limits.maxNotificationsPerUser;
    for (let i = 0; i < max + 50; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => api(server.url, '/api/notify', { user: target.userId, text: `n${i + j}` })));
    }
    const stored = await server.platform.store.notifications(target.userId, 10_000);
    expect(stored).toHaveLength(max);
    expect(await server.platform.store.unreadCount(target.userId)).toBe(max);
  });
});

describe('MentionCap', () => {
  it('allows perMinute per pair, resets after a minute, and never tracks more than maxPairs', () => {
    let now = 0;
    const cap = new MentionCap(2, 3, () => now);
    expect([cap.take('a', 'b'), cap.take('a', 'b'), cap.take('a', 'b')]).toEqual([true, true, false]);
    expect(cap.take('c', 'b')).toBe(true);
    expect(cap.take('d', 'b')).toBe(true);
    expect(cap.take('e', 'b')).toBe(false);
    expect(cap.size).toBe(3);
    now = 60_000;
    expect(cap.take('e', 'b')).toBe(true);
    expect(cap.take('a', 'b')).toBe(true);
    expect(cap.size).toBeLessThanOrEqual(3);
  });
});

describe('SPEC 6: @name is an index lookup', () => {
  it('the mention queries use the name-key index, and the migration fills it for existing users', async () => {
    const file = join(tempDir(), 'old.db');
    // A database from before: version 1, names in mixed case.
    const old = createClient({ url: `file:${file}` });
    await old.executeMultiple(`BEGIN; ${MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;`);
    await old.execute({ sql: 'INSERT INTO users (id, name) VALUES (?, ?), (?, ?)', args: ['u1', 'Alice', 'u2', 'bob'] });
    old.close();
    const store = await LibsqlStore.open(`file:${file}`);
    expect(await store.userIdsNamed('ALICE')).toEqual(['u1']);
    await store.addRoomMember('ops', 'u1', 1);
    expect(await store.roomMembersNamed('ops', 'alice')).toEqual(['u1']);
    expect(await store.roomMembersNamed('ops', 'bob')).toEqual([]);
    const plan = async (sql: string, args: Array<string | number>) =>
      ((await (store as unknown as { rows(sql: string, args: unknown[]): Promise<Array<Record<string, unknown>>> }).rows(`EXPLAIN QUERY PLAN ${sql}`, args)) ?? [])
        .map((row) => String(row.detail))
        .join('\n');
    const byName = await plan('SELECT id FROM users WHERE name_key = ?', ['alice']);
    expect(byName).toMatch(/USING (COVERING )?INDEX users_name_key/);
    expect(byName).not.toMatch(/^SCAN users/m);
    const members = await plan('SELECT u.id FROM users u JOIN room_participants m ON m.room = ? AND m.user_id = u.id WHERE u.name_key = ?', ['ops', 'alice']);
    expect(members).not.toMatch(/SCAN (u|users|m|room_participants)\b(?! USING)/);
    await store.close();
  });
});
