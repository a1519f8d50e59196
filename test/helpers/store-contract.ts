import { describe, expect, it } from 'vitest';
import type { Store } from '../../app/ports/store.ts';

/** What every Store keeps (libSQL, Redis): run against each implementation with a fresh, empty store. */
export function storeContract(name: string, make: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const at = Date.now();
    const message = (room: string, text: string) => ({ room, userId: 'u1', name: 'Alice', text, at });

    it('keeps messages per room with increasing ids and pages them oldest first', async () => {
      const store = await make();
      const ids: number[] = [];
      for (const text of ['one', 'two', 'three', 'four']) ids.push((await store.addMessage(message('r', text))).id);
      await store.addMessage(message('other', 'elsewhere'));
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect((await store.recentMessages('r', 2)).map((m) => m.text)).toEqual(['three', 'four']);
      expect(await store.recentMessages('r', 1)).toEqual([{ ...message('r', 'four'), id: ids[3] }]);
      expect((await store.messagesBefore('r', ids[2]!, 5)).map((m) => m.text)).toEqual(['one', 'two']);
      expect(await store.messageIdBefore('r', ids[3]!, 2)).toBe(ids[1]);
      expect(await store.messageIdBefore('r', ids[1]!, 2)).toBeNull();
      expect(await store.recentMessages('empty', 5)).toEqual([]);
      expect(await store.countMessagesSince(at)).toBe(5);
      expect(await store.countMessagesSince(at + 1)).toBe(0);
    });

    it('stores names and finds users by name, ignoring ASCII case', async () => {
      const store = await make();
      expect(await store.userName('u1')).toBeNull();
      await store.setUserName('u1', 'Alice');
      await store.setUserName('u2', 'alice');
      await store.setUserName('u3', 'Bob');
      expect(await store.userName('u1')).toBe('Alice');
      expect((await store.userIdsNamed('ALICE')).sort()).toEqual(['u1', 'u2']);
      await store.setUserName('u2', 'Carol');
      expect(await store.userIdsNamed('alice')).toEqual(['u1']);
      expect(await store.userIdsNamed('carol')).toEqual(['u2']);
    });

    it('keeps notifications newest first with unread counts and mark-all-read', async () => {
      const store = await make();
      const first = await store.addNotification({ userId: 'u1', text: 'first', level: 'info', at });
      const second = await store.addNotification({ userId: 'u1', text: 'second <b>', level: 'warning', at: at + 1 });
      await store.addNotification({ userId: 'u2', text: 'not yours', level: 'error', at });
      expect(second.id).toBeGreaterThan(first.id);
      expect(await store.unreadCount('u1')).toBe(2);
      expect((await store.notifications('u1', 10)).map((n) => [n.text, n.level, n.read])).toEqual([
        ['second <b>', 'warning', false],
        ['first', 'info', false],
      ]);
      await store.markAllRead('u1');
      expect(await store.unreadCount('u1')).toBe(0);
      expect(await store.unreadCount('u2')).toBe(1);
      await store.addNotification({ userId: 'u1', text: 'third', level: 'success', at });
      expect(await store.unreadCount('u1')).toBe(1);
      expect((await store.notifications('u1', 2)).map((n) => [n.text, n.read])).toEqual([
        ['third', false],
        ['second <b>', true],
      ]);
    });

    it('keeps metric series per name, oldest first, newest N', async () => {
      const store = await make();
      for (let i = 1; i <= 5; i++) await store.addMetric({ name: 'orders', value: i, label: null, format: 'integer', at: at + i });
      await store.addMetric({ name: 'revenue', value: 9.5, label: 'Revenue', format: 'currency', at });
      const series = await store.metricSeries(3);
      expect([...series.keys()]).toEqual(['orders', 'revenue']);
      expect(series.get('orders')!.map((p) => p.value)).toEqual([3, 4, 5]);
      expect(series.get('revenue')).toEqual([{ name: 'revenue', value: 9.5, label: 'Revenue', format: 'currency', at }]);
    });
  });
}
