import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../app/config.ts';
import { RedisLink } from '../../app/cluster/link.ts';
import { RedisStore } from '../../app/cluster/redis-store.ts';
import { storeContract } from '../helpers/store-contract.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';

let redis: RedisServer;
let link: RedisLink;

beforeAll(async () => {
  redis = await startRedis();
  link = new RedisLink(redis.url, 200);
  if (!(await link.ready(5000))) throw new Error(`could not reach ${redis.url}`);
});
afterAll(async () => {
  await link?.close();
  await redis?.kill();
});

const fresh = async (limits = LIMITS) => {
  await link.commands.flushall();
  return new RedisStore(link, limits);
};

storeContract('RedisStore', () => fresh());

describe('SPEC 7 cluster storage bounds', () => {
  it('keeps at most clusterHistoryPerRoom messages per room', async () => {
    const store = await fresh({ ...LIMITS, clusterHistoryPerRoom: 3 });
    for (const text of ['a', 'b', 'c', 'd', 'e']) await store.addMessage({ room: 'r', userId: 'u', name: 'U', text, at: Date.now() });
    expect((await store.recentMessages('r', 10)).map((m) => m.text)).toEqual(['c', 'd', 'e']);
    expect(await link.commands.zcard('sb:room:r:messages')).toBe(3);
  });

  it('keeps at most clusterNotificationsPerUser notifications and clusterMetricPoints points', async () => {
    const store = await fresh({ ...LIMITS, clusterNotificationsPerUser: 2, clusterMetricPoints: 2 });
    for (const text of ['a', 'b', 'c']) await store.addNotification({ userId: 'u', text, level: 'info', at: Date.now() });
    for (const value of [1, 2, 3]) await store.addMetric({ name: 'm', value, label: null, format: 'integer', at: Date.now() });
    expect((await store.notifications('u', 10)).map((n) => n.text)).toEqual(['c', 'b']);
    expect(await store.unreadCount('u')).toBe(2);
    expect((await store.metricSeries(10)).get('m')!.map((p) => p.value)).toEqual([2, 3]);
  });

  it('answers userName from what this instance last saw while Redis is unreachable', async () => {
    const store = await fresh();
    await store.setUserName('known', 'Alice');
    await redis.kill();
    try {
      await expect.poll(() => link.reachable).toBe(false);
      expect(await store.userName('known')).toBe('Alice');
      await expect(store.userName('stranger')).rejects.toThrow();
      await expect(store.addMessage({ room: 'r', userId: 'u', name: 'U', text: 'x', at: 0 })).rejects.toThrow();
    } finally {
      await redis.restart();
    }
    expect(await link.ready(5000)).toBe(true);
    await expect.poll(() => link.reachable, { timeout: 5000 }).toBe(true);
  });
});
