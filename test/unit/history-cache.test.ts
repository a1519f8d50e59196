import { describe, expect, it } from 'vitest';
import { readConfig } from '../../app/config.ts';
import { ChatRoom } from '../../app/realtime/chat-room.tsx';
import { HistoryCache, ListenedHistory, UnkeptHistory } from '../../app/realtime/history-cache.tsx';
import { LocalHub } from '../../app/realtime/hub.ts';
import { LocalLobbyState } from '../../app/realtime/lobby-state.ts';
import { LocalPresence } from '../../app/realtime/presence.ts';
import { Stats } from '../../app/realtime/stats.ts';
import { DirectFanout, HubFanout } from '../../app/realtime/room-fanout.ts';
import type { RoomPlatform } from '../../app/ports/platform.ts';
import { inProcessLocks } from '../../app/realtime/in-process.ts';
import { LocalMatchCoordinator } from '../../app/realtime/match-coordinator.ts';
import { PerUserLimits } from '../../app/realtime/rate-limit.ts';
import { LibsqlStore } from '../../app/store/libsql.ts';
import type { ChatMessage } from '../../app/ports/store.ts';
import type { Hub } from '../../app/ports/hub.ts';
import { UserNames } from '../../app/user-cache.ts';
import { Peer } from '../../app/realtime/peer.ts';
import type { Rendition } from '../../app/ports/fragment.ts';

const message = (id: number, room = 'r'): ChatMessage => ({ id, room, userId: 'u', name: 'Ann', text: `text ${id}`, at: 1_700_000_000_000 + id });

/** A store whose reads can be held open, to let a change land in the middle of a load. */
class FakeStore {
  rows = new Map<string, ChatMessage[]>();
  reads = 0;
  hold: Promise<void> | null = null;
  async recentMessages(room: string, limit: number): Promise<ChatMessage[]> {
    this.reads++;
    const rows = (this.rows.get(room) ?? []).slice(-limit);
    if (this.hold) await this.hold;
    return rows;
  }
}

const ids = (html: string) => [...html.matchAll(/id="msg-(\d+)"/g)].map((m) => Number(m[1]));

describe('history cache (pages and snapshots without reading rows)', () => {
  it('serves repeated reads from memory and follows appended messages, trimmed to the limit', async () => {
    const store = new FakeStore();
    store.rows.set('r', [1, 2, 3].map((id) => message(id)));
    const cache = new HistoryCache(store, 3);
    expect(ids((await cache.get('r')).listHtml)).toEqual([1, 2, 3]);
    expect((await cache.get('r')).more).toBe(false);
    expect(store.reads).toBe(1);
    cache.append(message(4));
    const after = await cache.get('r');
    expect(ids(after.listHtml)).toEqual([2, 3, 4]);
    expect(after.more).toBe(true);
    expect(after.listHtml).toContain('/chat/r/history?before=2');
    cache.append(message(5));
    expect(ids((await cache.get('r')).listHtml)).toEqual([3, 4, 5]);
    expect(store.reads).toBe(1);
  });

  it('escapes message text in the cached list', async () => {
    const store = new FakeStore();
    store.rows.set('r', [{ ...message(1), text: '<script>x</script>' }]);
    const { listHtml } = await new HistoryCache(store, 3).get('r');
    expect(listHtml).not.toContain('<script>');
    expect(listHtml).toContain('&lt;script&gt;');
  });

  it('drops a room on invalidate, and does not keep a load that overlapped a change', async () => {
    const store = new FakeStore();
    store.rows.set('r', [message(1)]);
    const cache = new HistoryCache(store, 3);
    await cache.get('r');
    cache.invalidate('r');
    expect(cache.has('r')).toBe(false);

    let release!: () => void;
    store.hold = new Promise((resolve) => (release = resolve));
    const loading = cache.get('r');
    // A message is stored and appended while the load reads the old rows.
    store.rows.get('r')!.push(message(2));
    cache.append(message(2));
    release();
    store.hold = null;
    expect(ids((await loading).listHtml)).toEqual([1]);
    expect(cache.has('r')).toBe(false);
    expect(ids((await cache.get('r')).listHtml)).toEqual([1, 2]);
  });

  it('holds at most maxRooms rooms', async () => {
    const cache = new HistoryCache(new FakeStore(), 3, 2);
    for (const room of ['a', 'b', 'c']) await cache.get(room);
    expect(cache.has('a')).toBe(false);
    expect(cache.has('b') && cache.has('c')).toBe(true);
  });
});

describe('a chat room keeps the cache current', () => {
  /** `shared`: as in cluster mode, where other instances write to the room and its events come through the hub. */
  async function roomWith(history: HistoryCache, store: LibsqlStore, shared = false, hub: Hub = new LocalHub(10)) {
    const config = readConfig({ DATABASE_URL: ':memory:', HISTORY_LIMIT: '3' });
    const platform: RoomPlatform = {
      config,
      store,
      history,
      hub,
      fanout: shared ? new HubFanout(hub, (_, work) => work()) : new DirectFanout(new AbortController().signal),
      presence: new LocalPresence(),
      lobbies: new LocalLobbyState(),
      stats: new Stats(),
      closing: new AbortController().signal,
      rateLimits: new PerUserLimits(100, 100),
      locks: inProcessLocks,
      health: () => ({ status: 'ok' }),
      matches: new LocalMatchCoordinator(),
      random: Math.random,
    };
    const room = new ChatRoom('r', platform, { onMessage() {}, onPresenceChange() {}, onEmpty() {} });
    return { room, platform };
  }

  it.each([false, true])('its own posts update the cached list without a reload (shared: %s)', async (shared) => {
    const store = await LibsqlStore.open(':memory:');
    const history = shared ? new ListenedHistory(store, 3) : new HistoryCache(store, 3);
    const { room } = await roomWith(history, store, shared);
    await room.post('u1', 'Ann', 'first');
    await history.get('r');
    expect(history.loads).toBe(1);
    for (const text of ['second', 'third', 'fourth']) await room.post('u1', 'Ann', text);
    const { listHtml, messages } = await history.get('r');
    expect(history.loads).toBe(1);
    expect(messages.map((m) => m.text)).toEqual(['second', 'third', 'fourth']);
    expect(listHtml).toEqual((await new HistoryCache(store, 3).get('r')).listHtml);
    room.dispose();
    await store.close();
  });

  it('a message from elsewhere drops the cached list', async () => {
    const store = await LibsqlStore.open(':memory:');
    const history = new ListenedHistory(store, 3);
    const { room, platform } = await roomWith(history, store, true);
    for (const text of ['second', 'third', 'fourth']) await room.post('u1', 'Ann', text);
    await history.get('r');
    expect(history.has('r')).toBe(true);

    // Another instance's message arrives through the hub only (cluster mode): the cache must not serve stale rows.
    await store.addMessage({ room: 'r', userId: 'u2', name: 'Bob', text: 'from elsewhere', at: Date.now() });
    await platform.hub.publish('chat:r', 'message', '<div id="chat-messages" hx-swap-oob="beforeend">x</div>');
    expect(history.has('r')).toBe(false);
    expect((await history.get('r')).messages.map((m) => m.text)).toEqual(['third', 'fourth', 'from elsewhere']);
    room.dispose();
    await store.close();
  });

  for (const cached of [true, false]) {
    it(`leaves a stored message whose broadcast is still queued out of a joiner's snapshot, so it shows once (${cached ? 'cached history' : 'read from the store'})`, async () => {
      const store = await LibsqlStore.open(':memory:');
      await store.addMessage({ room: 'r', userId: 'u2', name: 'Bob', text: 'earlier one', at: Date.now() });
      // The join's own write waits until the message below is committed: its snapshot then reads a
      // store that holds the message, whose broadcast comes after the join in the room's queue.
      let releaseJoin!: () => void;
      const joinHeld = new Promise<void>((resolve) => (releaseJoin = resolve));
      const addRoomMember = store.addRoomMember.bind(store);
      store.addRoomMember = async (...args) => {
        await joinHeld;
        return addRoomMember(...args);
      };
      const { room } = await roomWith(cached ? new HistoryCache(store, 3) : new UnkeptHistory(store, 3), store);
      const sent: string[] = [];
      const transport = { send: (r: Rendition) => void sent.push(r.html), close: () => {}, bufferedAmount: () => 0, majorRevealed: () => {}, rename: () => {} };
      const peer = new Peer('p1', { userId: 'u1', name: 'Ann' }, transport, 2);
      const joined = room.join(peer);
      const posted = room.receive(peer, { message: 'sent at once' });
      while (!(await store.recentMessages('r', 5)).some((m) => m.text === 'sent at once')) await new Promise((r) => setTimeout(r, 5));
      releaseJoin();
      await joined;
      await posted;
      const all = sent.join('\n');
      expect(all.split('sent at once').length - 1).toBe(1);
      expect(all.split('earlier one').length - 1).toBe(1);
      // The snapshot came first, the message after it.
      expect(sent.findIndex((html) => html.includes('id="chat-messages" hx-swap-oob="innerHTML"'))).toBeLessThan(sent.findIndex((html) => html.includes('sent at once')));
      room.dispose();
      await store.close();
    });
  }

  it('in cluster mode a room that stops listening forgets its history, and a page view of a room not open here reads the store each time', async () => {
    const store = await LibsqlStore.open(':memory:');
    const history = new ListenedHistory(store, 3);
    const { room } = await roomWith(history, store, true);
    await room.post('u1', 'Ann', 'one');
    await history.get('r');
    await history.get('r');
    expect(history.loads).toBe(1);
    room.dispose();
    expect(history.has('r')).toBe(false);
    // Another instance writes while no room is open here: each read sees it.
    await store.addMessage({ room: 'r', userId: 'u2', name: 'Bob', text: 'from elsewhere', at: Date.now() });
    expect((await history.get('r')).messages.map((m) => m.text)).toEqual(['one', 'from elsewhere']);
    expect(history.has('r')).toBe(false);
    await store.addMessage({ room: 'r', userId: 'u2', name: 'Bob', text: 'again', at: Date.now() });
    expect((await history.get('r')).messages.map((m) => m.text)).toEqual(['one', 'from elsewhere', 'again']);
    expect(history.loads).toBe(3);
    await store.close();
  });

  it("cluster mode: a joiner while the room's own message is still on its way back from the hub sees it once", async () => {
    const store = await LibsqlStore.open(':memory:');
    const history = new ListenedHistory(store, 3);
    const local = new LocalHub(10);
    // Redis hands a publisher its own event back a little after the publish has returned.
    const slow: Hub = {
      publish: (topic, event, content) => local.publish(topic, event, content),
      subscribe: (topic, listener) => local.subscribe(topic, (event) => void setTimeout(() => listener(event), 30)),
      since: (topic, lastId) => local.since(topic, lastId),
      head: (topic) => local.head(topic),
      close: () => local.close(),
    };
    const { room } = await roomWith(history, store, true, slow);
    const socket = () => {
      const sent: string[] = [];
      return { sent, transport: { send: (r: Rendition) => void sent.push(r.html), close: () => {}, bufferedAmount: () => 0, majorRevealed: () => {}, rename: () => {} } };
    };
    const first = socket();
    await room.join(new Peer('p1', { userId: 'u1', name: 'Ann' }, first.transport, 2));
    await room.post('u1', 'Ann', 'on its way');
    const joiner = socket();
    await room.join(new Peer('p2', { userId: 'u2', name: 'Bob' }, joiner.transport, 2));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(joiner.sent.join('\n').split('on its way').length - 1).toBe(1);
    expect(first.sent.join('\n').split('on its way').length - 1).toBe(1);
    room.dispose();
    await store.close();
  });

  it("cluster mode: a room's history is kept only once its line has heard from the hub (before that, another instance's message could slip by)", async () => {
    const store = await LibsqlStore.open(':memory:');
    const history = new ListenedHistory(store, 3);
    const { room } = await roomWith(history, store, true);
    // Open, but nothing heard yet: a page view reads the store and keeps nothing.
    await history.get('r');
    expect(history.has('r')).toBe(false);
    // Stored by another instance while this room's subscription was still starting: not missed.
    await store.addMessage({ room: 'r', userId: 'u2', name: 'Bob', text: 'in the gap', at: Date.now() });
    expect((await history.get('r')).messages.map((m) => m.text)).toEqual(['in the gap']);
    await room.post('u1', 'Ann', 'heard');
    await history.get('r');
    expect(history.has('r')).toBe(true);
    expect((await history.get('r')).messages.map((m) => m.text)).toEqual(['in the gap', 'heard']);
    room.dispose();
    expect(history.has('r')).toBe(false);
    await store.close();
  });

  it('one process (and a room object) keeps a room it is the only writer of after the room closes', async () => {
    const store = await LibsqlStore.open(':memory:');
    const history = new HistoryCache(store, 3);
    const { room } = await roomWith(history, store);
    await room.post('u1', 'Ann', 'one');
    await history.get('r');
    room.dispose();
    expect(history.has('r')).toBe(true);
    await history.get('r');
    expect(history.loads).toBe(1);
    await store.close();
  });

  it("a Worker's request side keeps nothing: every page view reads the store its objects write", async () => {
    const store = await LibsqlStore.open(':memory:');
    const history = new UnkeptHistory(store, 3);
    await store.addMessage({ room: 'r', userId: 'u2', name: 'Bob', text: 'one', at: Date.now() });
    expect((await history.get('r')).messages.map((m) => m.text)).toEqual(['one']);
    await store.addMessage({ room: 'r', userId: 'u2', name: 'Bob', text: 'two', at: Date.now() });
    expect((await history.get('r')).messages.map((m) => m.text)).toEqual(['one', 'two']);
    expect(history.has('r')).toBe(false);
    await store.close();
  });
});

describe('user name cache', () => {
  it('reads a name once, follows its own updates, and never caches when others write (cluster)', async () => {
    const store = await LibsqlStore.open(':memory:');
    await store.setUserName('u', 'Ann');
    const names = new UserNames(store, true);
    expect(await names.get('u')).toBe('Ann');
    expect(await names.get('u')).toBe('Ann');
    expect(names.lookups).toBe(1);
    await names.set('u', 'Annie');
    expect(await names.get('u')).toBe('Annie');
    expect(names.lookups).toBe(1);

    const shared = new UserNames(store, false);
    await shared.get('u');
    await store.setUserName('u', 'Changed elsewhere');
    expect(await shared.get('u')).toBe('Changed elsewhere');
    await store.close();
  });
});
