import { describe, expect, it } from 'vitest';
import { callLobby, callPresence, callStore, LOBBY_CALLS, PRESENCE_CALLS, ROOM_STORE_CALLS, serveCall, TOPIC_STORE_CALLS } from '../../app/platform/worker/object-calls.ts';
import { LocalLobbyState } from '../../app/realtime/lobby-state.ts';
import { LocalPresence } from '../../app/realtime/presence.ts';
import { LibsqlStore } from '../../app/store/libsql.ts';

/** What an object's RPC method does with a call, as a stub sees it. */
const object = (port: object, served: readonly string[], call: 'storeCall' | 'lobbyCall' | 'presenceCall') =>
  ({ [call]: (method: string, args: unknown[]) => serveCall(port, served, method, args) }) as Record<typeof call, (method: string, args: unknown[]) => Promise<unknown>>;

describe('ports across RPC to Durable Objects: one call per port and object, each serving only the data it keeps', () => {
  it('the Store: a room object keeps messages, a topic object names and metrics; neither closes', async () => {
    const store = await LibsqlStore.open(':memory:');
    const room = object(store, ROOM_STORE_CALLS, 'storeCall') as { storeCall: (method: string, args: unknown[]) => Promise<unknown> };
    const topic = object(store, TOPIC_STORE_CALLS, 'storeCall') as { storeCall: (method: string, args: unknown[]) => Promise<unknown> };
    const stored = await callStore(room, 'addMessage', { room: 'r', userId: 'u', name: 'Ann', text: 'hi <b>', at: 1 });
    expect((await callStore(room, 'recentMessages', 'r', 5)).map((m) => [m.id, m.text])).toEqual([[stored.id, 'hi <b>']]);
    await callStore(topic, 'setUserName', 'u', 'Ann');
    expect(await callStore(topic, 'userName', 'u')).toBe('Ann');
    await callStore(topic, 'addMetric', { name: 'orders', value: 3, label: null, format: 'integer', at: 1 });
    expect((await callStore(topic, 'metricSeries', 5)).get('orders')?.map((p) => p.value)).toEqual([3]);
    await expect(callStore(room, 'userName', 'u')).rejects.toThrow(/does not keep userName/);
    await expect(callStore(topic, 'addMessage', { room: 'r', userId: 'u', name: 'Ann', text: 'x', at: 2 })).rejects.toThrow(/does not keep addMessage/);
    await expect(room.storeCall('close', [])).rejects.toThrow(/does not keep close/);
    await expect(room.storeCall('constructor', [])).rejects.toThrow(/does not keep constructor/);
    expect((await store.recentMessages('r', 5)).length).toBe(1);
    await store.close();
  });

  it("a lobby's state and a room's presence: every member answered by the object that keeps them", async () => {
    const lobby = object(new LocalLobbyState(), LOBBY_CALLS, 'lobbyCall') as { lobbyCall: (method: string, args: unknown[]) => Promise<unknown> };
    expect(await callLobby(lobby, 'join', 'l', { userId: 'u', name: 'Ann' }, 8)).toBe('joined');
    expect(await callLobby(lobby, 'toggleReady', 'l', 'u')).toEqual({ userId: 'u', name: 'Ann', ready: true });
    expect(await callLobby(lobby, 'players', 'l')).toEqual([{ userId: 'u', name: 'Ann', ready: true }]);
    expect((await callLobby(lobby, 'appendLog', 'l', { kind: 'joined', name: 'Ann' }, 10)).line.id).toBe(1);
    await expect(lobby.lobbyCall('lobbies', [])).rejects.toThrow(/does not keep lobbies/);
    const presence = object(new LocalPresence(), PRESENCE_CALLS, 'presenceCall') as { presenceCall: (method: string, args: unknown[]) => Promise<unknown> };
    expect(await callPresence(presence, 'join', 'chat:r', { userId: 'u', name: 'Ann' })).toBe(true);
    expect(await callPresence(presence, 'list', 'chat:r')).toEqual([{ userId: 'u', name: 'Ann' }]);
    // A listener cannot cross RPC: watching stays with the object.
    await expect(presence.presenceCall('watch', ['chat:r'])).rejects.toThrow(/does not keep watch/);
  });
});
