import { describe, expect, it } from 'vitest';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { api, RawSse } from '../helpers/sse.ts';
import { es256, hs256, HOST_PUBLIC_KEY, signIn, unsigned } from '../helpers/host-tokens.ts';
import { TEST_TOKEN } from '../helpers/server.ts';
import type { SuiteContext, User } from './context.ts';

const now = () => Math.floor(Date.now() / 1000);

/** SPEC §9 on one runtime: host sign-in, private rooms over page, WebSocket, SSE and history, removal and disconnect. */
export function accessSuite(ctx: SuiteContext): void {
  const request = (method: string, path: string, body?: unknown) =>
    fetch(ctx.url(path), {
      method,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** Every token sent, to check none of them reaches the server's output. */
  const sent: string[] = [];
  const auth = (token: string, next = '/', cookie?: string) => {
    sent.push(token);
    return fetch(ctx.url(`/auth?token=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`), { redirect: 'manual', headers: cookie ? { cookie } : {} });
  };
  /** A host user with a fresh id, signed in with `rooms`. */
  const hostUser = async (label: string, rooms: string[] = []): Promise<User & { name: string }> => {
    const sub = `${label}:${ctx.fresh()}@acme.test`;
    const name = label.charAt(0).toUpperCase() + label.slice(1) + ctx.fresh().replace(/\D/g, '').slice(-6);
    const token = await hs256({ sub, name, rooms });
    sent.push(token);
    const { cookie, userId } = await signIn(ctx.server.url, token);
    expect(userId).toBe(sub);
    return { cookie, userId, name };
  };
  const page = (path: string, user: User) => fetch(ctx.url(path), { headers: { cookie: user.cookie }, redirect: 'manual' });
  const socket = (room: string, user: User) => SocketClient.connect(wsUrl(ctx.server.url, `/chat/${room}/ws`), { cookie: user.cookie });

  describe(`SPEC 9 host sign-in on ${ctx.runtime}`, () => {
    it('signs in with a good HS256 token: a new sid cookie, the user id and name as given, 303 to next', async () => {
      const sub = `acme:${ctx.fresh()}@example.com`;
      const res = await auth(await hs256({ sub, name: 'Grace Hopper' }), '/chat/lobby-room?x=1#end', ctx.alice.cookie);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/chat/lobby-room?x=1#end');
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^sid=/);
      expect(cookie).toContain('HttpOnly');
      const html = await (await page('/', { cookie: cookie.split(';')[0]!, userId: sub })).text();
      expect(html).toContain(`data-user-id="${sub}"`);
      expect(html).toContain('Grace Hopper');
    });

    it('signs in with a good ES256 token verified by the public key', async () => {
      const sub = `es-${ctx.fresh()}`;
      const token = await es256({ sub });
      sent.push(token);
      const { userId, location } = await signIn(ctx.server.url, token, '/dashboard');
      expect(userId).toBe(sub);
      expect(location).toBe('/dashboard');
    });

    it('refuses bad tokens with a 401 page saying why, and leaves the cookie alone', async () => {
      const sub = `bad-${ctx.fresh()}`;
      const cases: Array<[string, string | Promise<string>, RegExp]> = [
        ['expired', hs256({ sub, exp: now() - 3600 }), /expired/],
        ['future nbf', hs256({ sub, nbf: now() + 3600 }), /not valid yet/],
        ['bad signature', hs256({ sub }, 'another-secret-0123456789-abcdefghijkl'), /signature/],
        ['alg none', unsigned({ sub }), /algorithm/],
        ['HS256 signed with the public key', hs256({ sub }, HOST_PUBLIC_KEY), /signature/],
        ['no exp', hs256({ sub, exp: undefined }), /"exp"/],
        ['no sub', hs256({}), /"sub"/],
        ['malformed sub', hs256({ sub: 'has space' }), /"sub"/],
        ['sub too long', hs256({ sub: 'x'.repeat(65) }), /"sub"/],
        ['sub shaped like an anonymous id', hs256({ sub: ctx.alice.userId }), /anonymous/],
        ['bad rooms', hs256({ sub, rooms: ['Team A'] }), /"rooms"/],
        ['oversized', hs256({ sub, pad: 'x'.repeat(9000) }), /longer than/],
        ['not a JWT', 'not-a-token', /well-formed/],
        ['missing', '', /missing/],
      ];
      for (const [label, token, reason] of cases) {
        const res = await auth(await token, '/', ctx.alice.cookie);
        expect(res.status, label).toBe(401);
        expect(res.headers.get('set-cookie'), label).toBeNull();
        expect((await res.text()).replaceAll('&quot;', '"'), label).toMatch(reason);
      }
      // The anonymous person is still who they were.
      expect(await (await page('/', ctx.alice)).text()).toContain(`data-user-id="${ctx.alice.userId}"`);
    });

    it('sends next only to same-origin paths, else to /', async () => {
      for (const next of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'chat/x']) {
        const res = await auth(await hs256({ sub: `next-${ctx.fresh()}` }), next);
        expect(res.status, next).toBe(303);
        expect(res.headers.get('location'), next).toBe('/');
      }
    });

    it('accepts a token with a jti once', async () => {
      const token = await hs256({ sub: `once-${ctx.fresh()}`, jti: `jti-${ctx.fresh()}` });
      expect((await auth(token)).status).toBe(303);
      const again = await auth(token);
      expect(again.status).toBe(401);
      expect(await again.text()).toContain('already used');
    });
  });

  describe(`SPEC 9 private rooms on ${ctx.runtime}`, () => {
    it('admits members and refuses others on the page, the WebSocket and history (PRIVATE_ROOMS pattern and token claim)', async () => {
      const room = `team-${ctx.fresh()}`;
      const member = await hostUser('member', ['team-*']);
      const outsider = await hostUser('outsider', ['other-*']);
      const ok = await page(`/chat/${room}`, member);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain(`ws-connect="/chat/${room}/ws"`);
      const client = await socket(room, member);
      await client.waitForText('id="chat-messages"');
      expect((await page(`/chat/${room}/history?before=999999999999`, member)).status).toBe(200);
      for (const [label, user] of [['outsider', outsider], ['anonymous', ctx.alice]] as const) {
        const res = await page(`/chat/${room}`, user);
        expect(res.status, label).toBe(403);
        const html = await res.text();
        expect(html, label).toContain('private room');
        expect(html, label).not.toContain('ws-connect');
        await expect(socket(room, user), label).rejects.toThrow('403');
        expect((await page(`/chat/${room}/history?before=999999999999`, user)).status, label).toBe(403);
      }
      client.close();
    });

    it('keeps a private room off the home list and the rooms stream while a public one shows', async () => {
      const secret = `team-${ctx.fresh()}`;
      const open = `open-${ctx.fresh()}`;
      const member = await hostUser('lister', ['team-*']);
      const inSecret = await socket(secret, member);
      await inSecret.waitForText('id="chat-messages"');
      const inOpen = await socket(open, ctx.bob);
      await inOpen.waitForText('id="chat-messages"');
      const stream = await RawSse.open(ctx.url('/events?topics=rooms'), { cookie: ctx.alice.cookie });
      await stream.waitFor((raw) => raw.events.some((e) => e.event === 'rooms' && e.data.includes(open)), 10_000);
      expect(stream.text).not.toContain(secret);
      for (const user of [ctx.alice, member]) {
        const home = await (await page('/', user)).text();
        expect(home).toContain(open);
        expect(home).not.toContain(secret);
      }
      inSecret.close();
      inOpen.close();
      await stream.waitFor((raw) => raw.events.filter((e) => e.event === 'rooms').at(-1)?.data.includes(open) === false, 10_000);
      stream.close();
    });

    it('makes a room private through the API, adds and lists members, and removes one at once with 1008', async () => {
      const room = `flag-${ctx.fresh()}`;
      const kept = await hostUser('kept');
      const removed = await hostUser('removed');
      expect((await page(`/chat/${room}`, removed)).status).toBe(200);
      const bystander = await socket(room, ctx.bob);
      await bystander.waitForText('id="chat-messages"');
      expect((await request('PUT', `/api/rooms/${room}`, { private: true })).status).toBe(204);
      // Whoever was inside reconnects (1012) through the gate, which now refuses them.
      expect(await bystander.closed).toBe(1012);
      await expect(socket(room, ctx.bob)).rejects.toThrow('403');
      expect(await (await request('GET', `/api/rooms/${room}/members`)).json()).toEqual({ private: true, members: [] });
      expect((await page(`/chat/${room}`, removed)).status).toBe(403);
      for (const user of [kept, removed]) expect((await request('PUT', `/api/rooms/${room}/members/${encodeURIComponent(user.userId)}`)).status).toBe(204);
      expect(await (await request('GET', `/api/rooms/${room}/members`)).json()).toEqual({ private: true, members: [kept.userId, removed.userId].sort() });
      const keptSocket = await socket(room, kept);
      const removedSocket = await socket(room, removed);
      await removedSocket.waitForText('id="chat-messages"');
      await keptSocket.waitForText('id="chat-messages"');

      expect((await request('DELETE', `/api/rooms/${room}/members/${encodeURIComponent(removed.userId)}`)).status).toBe(204);
      await removedSocket.waitForText('no longer a member');
      expect(await removedSocket.closed).toBe(1008);
      expect((await page(`/chat/${room}`, removed)).status).toBe(403);
      await expect(socket(room, removed)).rejects.toThrow('403');
      // The member who stayed is untouched and still chats.
      await ctx.say(keptSocket, `still here ${ctx.fresh()}`);
      expect(keptSocket.closeCode).toBeUndefined();
      expect(await (await request('GET', `/api/rooms/${room}/members`)).json()).toEqual({ private: true, members: [kept.userId] });
      keptSocket.close();
    });

    it('removal also outweighs a token pattern; bots may still post', async () => {
      const room = `team-${ctx.fresh()}`;
      const member = await hostUser('patterned', ['team-*']);
      const client = await socket(room, member);
      await client.waitForText('id="chat-messages"');
      expect((await request('DELETE', `/api/rooms/${room}/members/${encodeURIComponent(member.userId)}`)).status).toBe(204);
      expect(await client.closed).toBe(1008);
      expect((await page(`/chat/${room}`, member)).status).toBe(403);
      expect((await api(ctx.server.url, `/api/rooms/${room}/messages`, { name: 'deploy-bot', text: 'build green' })).status).toBe(201);
      expect(await (await request('GET', `/api/rooms/${room}/members`)).json()).toEqual({ private: true, members: [] });
    });

    it('lets @mentions inside a private room reach members only', async () => {
      const room = `team-${ctx.fresh()}`;
      const author = await hostUser('author', [room]);
      const insider = await hostUser('insider', [room]);
      const outsider = await newUser(ctx.server.url, `Out${ctx.fresh().replace(/\D/g, '').slice(-6)}`);
      const outsiderName = /Signed in as <strong>([^<]+)</.exec(await (await page('/', outsider)).text())![1]!;
      const insiderStream = await RawSse.open(ctx.url('/events'), { cookie: insider.cookie });
      await insiderStream.waitFor((raw) => raw.events.some((e) => e.event === 'notification-count'), 10_000);
      const client = await socket(room, author);
      await client.waitForText('id="chat-messages"');
      const text = `secret plan @${insider.name} @${outsiderName}`;
      await ctx.say(client, text);
      await insiderStream.waitFor((raw) => raw.events.some((e) => e.event === 'new-notification' && e.data.includes('secret plan')), 10_000);
      expect(await (await page('/notifications', outsider)).text()).not.toContain('secret plan');
      insiderStream.close();
      client.close();
    });

    it('answers bad room and member requests with 400 naming the field', async () => {
      expect((await request('PUT', '/api/rooms/Bad Room', { private: true })).status).toBe(400);
      const flag = await request('PUT', `/api/rooms/${ctx.fresh()}`, { private: 'yes' });
      expect(flag.status).toBe(400);
      expect(((await flag.json()) as { error: string }).error).toContain('"private"');
      expect((await request('PUT', `/api/rooms/${ctx.fresh()}`, { private: true, extra: 1 })).status).toBe(400);
      expect((await request('PUT', `/api/rooms/${ctx.fresh()}/members/${encodeURIComponent('bad user')}`)).status).toBe(400);
      expect((await fetch(ctx.url(`/api/rooms/${ctx.fresh()}/members`))).status).toBe(401);
    });
  });

  describe(`SPEC 9 disconnecting a user on ${ctx.runtime}`, () => {
    it('ends every socket and stream of the user and answers how many', async () => {
      const user = await hostUser('leaver', ['team-*']);
      const other = await hostUser('stayer', ['team-*']);
      const rooms = [`team-${ctx.fresh()}`, `pub-${ctx.fresh()}`];
      const sockets = await Promise.all(rooms.map((room) => socket(room, user)));
      for (const client of sockets) await client.waitForText('id="chat-messages"');
      const stream = await RawSse.open(ctx.url('/events'), { cookie: user.cookie });
      await stream.waitFor((raw) => raw.events.some((e) => e.event === 'notification-count'), 10_000);
      const otherSocket = await socket(rooms[0]!, other);
      await otherSocket.waitForText('id="chat-messages"');

      const res = await request('POST', `/api/users/${encodeURIComponent(user.userId)}/disconnect`);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ closed: 3 });
      for (const client of sockets) {
        expect(await client.closed).toBe(1008);
        expect(client.frames.join('')).toContain('disconnected');
      }
      await stream.waitFor((raw) => raw.ended, 10_000);
      await ctx.say(otherSocket, `unaffected ${ctx.fresh()}`);
      expect(otherSocket.closeCode).toBeUndefined();
      otherSocket.close();
      const none = await request('POST', `/api/users/${encodeURIComponent(user.userId)}/disconnect`);
      expect(await none.json()).toEqual({ closed: 0 });
    });
  });

  describe(`SPEC 9 tokens never logged on ${ctx.runtime}`, () => {
    it('printed no token (nor its signature) while signing people in', () => {
      const output = ctx.server.output();
      expect(sent.length).toBeGreaterThan(10);
      for (const token of sent.filter((t) => t.length > 60)) {
        const signature = token.split('.')[2];
        expect(output).not.toContain(token.slice(0, 60));
        if (signature && signature.length > 20) expect(output).not.toContain(signature);
      }
    });
  });
}
