import { afterAll, beforeAll } from 'vitest';
import { RedisLink } from '../../app/cluster/link.ts';
import { RedisLobbyState } from '../../app/cluster/redis-lobby-state.ts';
import { lobbyStateContract } from '../helpers/lobby-state-contract.ts';
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

lobbyStateContract('RedisLobbyState', async () => {
  await link.commands.flushall();
  return new RedisLobbyState(link);
});
