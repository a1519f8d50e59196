import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnInstance } from '../helpers/cluster.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import type { ChildServer } from '../helpers/server.ts';

let redis: RedisServer;
let a: ChildServer;
let b: ChildServer;

beforeAll(async () => {
  redis = await startRedis();
  const env = { NEW_IDENTITIES_PER_MINUTE: '3', TRUST_PROXY: 'true' };
  [a, b] = await Promise.all([spawnInstance(redis.url, env), spawnInstance(redis.url, env)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
});

describe('SPEC 6 cluster: new identities per client address across instances', () => {
  it('shares one bucket per address between instances, so a second instance buys an attacker nothing', async () => {
    const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    const statuses: number[] = [];
    for (const server of [a, b, a, b, a]) statuses.push((await fetch(`${server.url}/`, from('198.51.100.20'))).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await fetch(`${b.url}/`, from('198.51.100.20'));
    expect(await refused.text()).toContain('at most 3 new identities a minute');
    expect((await fetch(`${b.url}/`, from('198.51.100.21'))).status).toBe(200);
  });
});
