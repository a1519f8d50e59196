import { describe, expect, it } from 'vitest';
import { callStore, ROOM_CALLS, serveStoreCall, TOPIC_CALLS, type StoreMethod } from '../../app/platform/worker/object-store.ts';
import { LibsqlStore } from '../../app/store/libsql.ts';

describe('the Store across RPC to Durable Objects: one call per object, each serving only the data it keeps', () => {
  it('answers the calls an object keeps, typed on the stub side, and refuses the others', async () => {
    const store = await LibsqlStore.open(':memory:');
    const room = { storeCall: (method: StoreMethod, args: unknown[]) => serveStoreCall(store, ROOM_CALLS, method, args) };
    const topic = { storeCall: (method: StoreMethod, args: unknown[]) => serveStoreCall(store, TOPIC_CALLS, method, args) };
    const stored = await callStore(room, 'addMessage', { room: 'r', userId: 'u', name: 'Ann', text: 'hi <b>', at: 1 });
    expect((await callStore(room, 'recentMessages', 'r', 5)).map((m) => [m.id, m.text])).toEqual([[stored.id, 'hi <b>']]);
    await callStore(topic, 'setUserName', 'u', 'Ann');
    expect(await callStore(topic, 'userName', 'u')).toBe('Ann');
    await callStore(topic, 'addMetric', { name: 'orders', value: 3, label: null, format: 'integer', at: 1 });
    expect((await callStore(topic, 'metricSeries', 5)).get('orders')?.map((p) => p.value)).toEqual([3]);
    // A room object keeps no names, a topic object no room's messages; nothing closes an object's store.
    await expect(callStore(room, 'userName', 'u')).rejects.toThrow(/does not keep userName/);
    await expect(callStore(topic, 'addMessage', { room: 'r', userId: 'u', name: 'Ann', text: 'x', at: 2 })).rejects.toThrow(/does not keep addMessage/);
    await expect(room.storeCall('close' as StoreMethod, [])).rejects.toThrow(/does not keep close/);
    expect((await store.recentMessages('r', 5)).length).toBe(1);
    await store.close();
  });
});
