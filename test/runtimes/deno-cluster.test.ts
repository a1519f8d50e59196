import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { tempDir } from '../helpers/server.ts';
import { deno, type RuntimeServer } from './launchers.ts';

let redis: RedisServer;
let a: RuntimeServer;
let b: RuntimeServer;

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([deno.start(tempDir('switchboard-deno-a-'), { REDIS_URL: redis.url }), deno.start(tempDir('switchboard-deno-b-'), { REDIS_URL: redis.url })]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
});

describe('SPEC 7 cluster mode on Deno', () => {
  it('two Deno instances that share only Redis behave as one server', async () => {
    const alice = await newUser(a.url, 'Alice');
    const bob = await newUser(b.url, 'Bob');
    const room = `deno-cluster-${process.pid}`;
    const onA = await SocketClient.connect(wsUrl(a.url, `/chat/${room}/ws`), { cookie: alice.cookie });
    const onB = await SocketClient.connect(wsUrl(b.url, `/chat/${room}/ws`), { cookie: bob.cookie });
    await onA.waitForText('Online (2)', 10_000);
    const from = onB.frames.length;
    onA.sendMessage('across instances');
    expect(await onB.waitForText('</strong> across instances ', 10_000, from)).toContain('<strong>Alice:</strong>');
    const page = await (await fetch(`${b.url}/chat/${room}`, { headers: { cookie: bob.cookie } })).text();
    expect(page).toContain('</strong> across instances ');
    onA.close();
    onB.close();
  });
});
