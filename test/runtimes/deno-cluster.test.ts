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

  it('plays a lobby match whose players sit on different instances (SPEC 4.3.1)', async () => {
    const lobby = `deno-match-${process.pid}`;
    const press = (client: SocketClient) => client.send({ action: 'press', HEADERS: {} });
    const [alice, bob] = await Promise.all([newUser(a.url, 'Alice'), newUser(b.url, 'Bob')]);
    const onA = await SocketClient.connect(wsUrl(a.url, `/lobby/${lobby}/ws`), { cookie: alice.cookie });
    await onA.waitForText('Alice has joined the lobby.', 10_000);
    const onB = await SocketClient.connect(wsUrl(b.url, `/lobby/${lobby}/ws`), { cookie: bob.cookie });
    await onA.waitForText('Bob has joined the lobby.', 10_000);
    onA.send({ action: 'ready', HEADERS: {} });
    await onB.waitForText('Alice is ready.', 10_000);
    onB.send({ action: 'ready', HEADERS: {} });
    let from = 0;
    for (let round = 1; round <= 2; round++) {
      from = onB.frames.indexOf(await onB.waitForText(`Round ${round} of 2</p><p class="arena-signal">GO!`, 20_000, from), from);
      press(onB);
      await onB.waitForText('First!', 10_000, from);
      press(onA);
      expect(await onA.waitForText(`<strong>Round ${round}:</strong>`, 10_000)).toMatch(new RegExp(`Bob wins round ${round} \\(\\+1\\)\\. Alice: \\d+ ms, Bob: \\d+ ms\\.`));
    }
    expect(await onA.waitForText('<div id="game-status" hx-swap-oob="innerHTML">Bob wins!</div>', 10_000)).toContain('Alice (Not Ready)');
    onA.close();
    onB.close();
  }, 60_000);
});
