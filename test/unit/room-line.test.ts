import { describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../app/config.ts';
import { Fragment, type Rendition } from '../../app/ports/fragment.ts';
import { LocalHub } from '../../app/realtime/hub.ts';
import { Peer } from '../../app/realtime/peer.ts';
import type { SocketTransport } from '../../app/ports/transport.ts';
import { DirectFanout, HubFanout } from '../../app/realtime/room-fanout.ts';
import type { RoomEvent } from '../../app/ports/room-fanout.ts';
import type { TopicEvent } from '../../app/ports/hub.ts';
import type { SocketRoom } from '../../app/realtime/socket-room.ts';
import { SocketSession } from '../../app/realtime/socket-session.ts';
import { Stats } from '../../app/realtime/stats.ts';
import { inProcessLocks } from '../../app/realtime/in-process.ts';
import { LocalMatchCoordinator } from '../../app/realtime/match-coordinator.ts';
import { PerUserLimits } from '../../app/realtime/rate-limit.ts';

/** The members of RoomPlatform these tests leave as in one process. */
const roomExtras = () => ({
  rateLimits: new PerUserLimits(100, 100),
  locks: inProcessLocks,
  health: () => ({ status: 'ok' as const }),
  matches: new LocalMatchCoordinator(),
  random: Math.random,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function transport(): SocketTransport & { sent: string[] } {
  const sent: string[] = [];
  return { sent, send: (r: Rendition) => void sent.push(r.html), close: () => {}, bufferedAmount: () => 0, majorRevealed: () => {}, rename: () => {} };
}

/** A room whose line is a real one: what `receive` got, in order. */
function recordingRoom(): SocketRoom & { received: string[] } {
  const line = new DirectFanout(new AbortController().signal).open('t', () => {});
  const room: SocketRoom & { received: string[] } = {
    fields: ['message'],
    received: [],
    join: async () => {},
    leave: async () => {},
    receive: async (_peer, input) => void room.received.push(String(input.message)),
    errorFragment: (text) => new Fragment(`<p>${text}</p>`),
    run: (work) => line.run(work),
  };
  return room;
}

describe('the room line is the one ordering layer', () => {
  it('a shared limiter answering out of order still hands one socket’s messages to the room in arrival order', async () => {
    const room = recordingRoom();
    // Later questions are answered first, as a busy Redis may; the fourth is refused.
    let asked = 0;
    const answers = [40, 30, 20, 10, 1];
    const platform = {
      config: readConfig({}),
      stats: new Stats(),
      rateLimits: { forConnection: () => ({ take: () => { const i = asked++; return sleep(answers[i]!).then(() => i !== 3); } }) },
      health: () => ({ status: 'ok' as const }),
    };
    const out = transport();
    const session = new SocketSession(platform, room, new Peer('p', { userId: 'u', name: 'U' }, out));
    for (let i = 0; i < 5; i++) session.message(JSON.stringify({ message: `m${i}` }));
    await sleep(80);
    expect(room.received).toEqual(['m0', 'm1', 'm2', 'm4']);
    expect(out.sent).toEqual(['<p>You are sending too fast; wait a moment and try again.</p>']);
  });

  it('one process: the limiter answers at once and the room gets each message in the same turn', () => {
    const room = recordingRoom();
    const session = new SocketSession({ config: readConfig({}), stats: new Stats(), rateLimits: new PerUserLimits(100, 100), health: () => ({ status: 'ok' }) }, room, new Peer('p', { userId: 'u', name: 'U' }, transport()));
    for (let i = 0; i < 3; i++) session.message(JSON.stringify({ message: `m${i}` }));
    expect(room.received).toEqual(['m0', 'm1', 'm2']);
  });

  it('a direct line delivers in the publisher’s turn and never touches a hub; a hub line delivers what the hub hands back', async () => {
    const hub = new LocalHub(10);
    const direct: RoomEvent[] = [];
    const line = new DirectFanout(new AbortController().signal).open('chat:r', (event) => direct.push(event));
    const published = line.publish('message', '<p>1</p>');
    expect(direct.map((e) => e.fragment.html)).toEqual(['<p>1</p>']);
    await published;
    expect(hub.sizes().hubTopics).toBe(0);

    const heard: RoomEvent[] = [];
    const shared = new HubFanout(hub, (_, work) => work()).open('chat:r', (event) => heard.push(event), () => {});
    const other: string[] = [];
    hub.subscribe('chat:r', (event) => other.push(event.fragment.html));
    await shared.publish('message', '<p>2</p>');
    expect(heard.map((e) => e.fragment.html)).toEqual(['<p>2</p>']);
    expect(other).toEqual(['<p>2</p>']);
    shared.close();
  });

  it('a direct line is no longer heard once its process shuts down (its sockets are closing); a hub line always is (other instances listen)', () => {
    const lifecycle = new AbortController();
    const direct = new DirectFanout(lifecycle.signal).open('chat:r', () => {});
    const hubbed = new HubFanout(new LocalHub(10), (_, work) => work()).open('chat:r', () => {}, () => {});
    expect([direct.heard, hubbed.heard]).toEqual([true, true]);
    lifecycle.abort();
    expect([direct.heard, hubbed.heard]).toEqual([false, true]);
    hubbed.close();
  });

  it('a hub line returns from a publish once its own event came back, and never waits past a lost echo or a resync', async () => {
    const local = new LocalHub(10);
    let hold = true;
    const held: Array<() => void> = [];
    let resync = () => {};
    const hub = {
      publish: local.publish.bind(local),
      subscribe: (topic: string, listener: (event: TopicEvent) => void, onResync?: () => void) => {
        resync = onResync ?? (() => {});
        return local.subscribe(topic, (event) => (hold ? held.push(() => listener(event)) : listener(event)));
      },
      since: local.since.bind(local),
      head: local.head.bind(local),
      close: local.close.bind(local),
    };
    const seen: string[] = [];
    const line = new HubFanout(hub, (_, work) => work(), 60).open('chat:r', (event) => seen.push(event.fragment.html), () => seen.push('resync'));
    let done = false;
    const published = line.publish('message', '<p>1</p>').then(() => (done = true));
    await sleep(10);
    expect(done).toBe(false);
    held.shift()!();
    await published;
    expect(seen).toEqual(['<p>1</p>']);
    // An echo that never comes (Redis went away): the line carries on after its wait.
    await line.publish('message', '<p>2</p>');
    expect(seen).toEqual(['<p>1</p>']);
    // A resync releases whoever waits at once.
    const third = line.publish('message', '<p>3</p>');
    resync();
    await third;
    expect(seen).toEqual(['<p>1</p>', 'resync']);
    hold = false;
    await line.publish('message', '<p>4</p>');
    expect(seen.at(-1)).toBe('<p>4</p>');
    line.close();
  });

  it('a direct line starts each write at once and broadcasts in arrival order, each after its own write', async () => {
    const line = new DirectFanout(new AbortController().signal).open('chat:r', () => {});
    const started: number[] = [];
    const broadcast: number[] = [];
    const posts = [30, 1, 10].map((ms, i) =>
      line.post(
        () => (started.push(i), sleep(ms).then(() => i)),
        async (value) => void broadcast.push(value),
      ),
    );
    expect(started).toEqual([0, 1, 2]);
    expect(await Promise.all(posts)).toEqual([0, 1, 2]);
    expect(broadcast).toEqual([0, 1, 2]);
  });
});

/** A room's platform as in one process; `store` and `history` may be given (a store that holds reads back, history read from it). */
async function platformFor(given: { store?: import('../../app/store/libsql.ts').LibsqlStore; history?: 'kept' | 'unkept' } = {}) {
  const { LibsqlStore } = await import('../../app/store/libsql.ts');
  const { LocalPresence } = await import('../../app/realtime/presence.ts');
  const { LocalLobbyState } = await import('../../app/realtime/lobby-state.ts');
  const { HistoryCache, UnkeptHistory } = await import('../../app/realtime/history-cache.tsx');
  const store = given.store ?? (await LibsqlStore.open(':memory:'));
  return {
    config: readConfig({ DATABASE_URL: ':memory:', HISTORY_LIMIT: '3' }),
    store,
    history: given.history === 'unkept' ? new UnkeptHistory(store, 3) : new HistoryCache(store, 3),
    hub: new LocalHub(10),
    fanout: new DirectFanout(new AbortController().signal),
    presence: new LocalPresence(),
    lobbies: new LocalLobbyState(),
    stats: new Stats(),
    closing: new AbortController().signal,
    ...roomExtras(),
  };
}

describe('the room skeleton both rooms share', () => {
  it('takes back a socket (a woken Durable Object) with no snapshot and no announcement, then carries on with it', async () => {
    const { ChatRoom } = await import('../../app/realtime/chat-room.tsx');
    const { LobbyRoom } = await import('../../app/realtime/lobby-room.tsx');
    const platform = await platformFor();
    let emptied = 0;
    const chat = new ChatRoom('r', platform, { onMessage() {}, onPresenceChange() {}, onEmpty: () => void emptied++ });
    const lobby = new LobbyRoom('l', platform, { onPresenceChange() {}, onEmpty: () => void emptied++ });
    const hubPublish = vi.spyOn(platform.hub, 'publish');
    for (const room of [chat, lobby]) {
      const out = transport();
      const peer = new Peer('p', { userId: 'u1', name: 'Ann' }, out);
      await room.adopt(peer);
      expect(out.sent).toEqual([]);
      expect(await platform.presence.list(room.topic)).toEqual([{ userId: 'u1', name: 'Ann' }]);
      expect(room.isEmpty).toBe(false);
      await room.leave(peer);
      expect(await platform.presence.list(room.topic)).toEqual([]);
    }
    // The chat room announced the leave to nobody left; the lobby waits out the grace period first.
    expect(emptied).toBe(1);
    expect(hubPublish).not.toHaveBeenCalled();
    chat.dispose();
    lobby.dispose();
    await platform.store.close();
  });

  it('a chat room in one process posts straight to its sockets: the hub is never asked', async () => {
    const { ChatRoom } = await import('../../app/realtime/chat-room.tsx');
    const platform = await platformFor();
    const room = new ChatRoom('r', platform, { onMessage() {}, onPresenceChange() {}, onEmpty() {} });
    const hubPublish = vi.spyOn(platform.hub, 'publish');
    const a = transport();
    const b = transport();
    await room.join(new Peer('a', { userId: 'ua', name: 'Ann' }, a));
    await room.join(new Peer('b', { userId: 'ub', name: 'Bob' }, b));
    const before = [a.sent.length, b.sent.length];
    await room.post('ua', 'Ann', 'hello <b>');
    expect(a.sent.slice(before[0])).toEqual(b.sent.slice(before[1]));
    expect(b.sent.slice(before[1]).filter((html) => html.includes('hello &lt;b&gt;'))).toHaveLength(1);
    expect(hubPublish).not.toHaveBeenCalled();
    room.dispose();
    await platform.store.close();
  });
});

describe('a snapshot and a burst of messages', () => {
  it('a message stored while a joiner’s snapshot is read reaches it once: with its broadcast, not in the snapshot too', async () => {
    const { ChatRoom } = await import('../../app/realtime/chat-room.tsx');
    const { LibsqlStore } = await import('../../app/store/libsql.ts');
    const real = await LibsqlStore.open(':memory:');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reading!: () => void;
    const readStarted = new Promise<void>((resolve) => (reading = resolve));
    // The snapshot's read waits until a message has been committed meanwhile.
    const store = Object.assign(Object.create(real) as typeof real, {
      recentMessages: async (room: string, limit: number) => {
        reading();
        await held;
        return real.recentMessages(room, limit);
      },
    });
    // Read from the store (as on a Worker's request side), where the message can be caught in between.
    const platform = await platformFor({ store, history: 'unkept' });
    const room = new ChatRoom('r', platform, { onMessage() {}, onPresenceChange() {}, onEmpty() {} });
    const out = transport();
    const joined = room.join(new Peer('p', { userId: 'u', name: 'Ann' }, out));
    await readStarted;
    const posted = room.post('v', 'Bob', 'in between');
    while ((await real.recentMessages('r', 5)).length === 0) await sleep(1);
    await sleep(1);
    release();
    await joined;
    await posted;
    expect(out.sent.filter((html) => html.includes('in between'))).toHaveLength(1);
    room.dispose();
    await real.close();
  });
});
