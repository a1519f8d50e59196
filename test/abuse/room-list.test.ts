import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { RawSse } from '../helpers/sse.ts';

/** Issue 10 item 3: the home room list is coalesced and capped, not re-sent whole on every join. */
let server: NodeServer;
const ROOMS = 600;

beforeAll(async () => {
  // The connection cap would stop one cookie at 32 sockets; lifted here to test the list on its own.
  server = await startServer({ MAX_CONNECTIONS_PER_USER: '10000' });
});
afterAll(() => server.shutdown());

describe('SPEC 6: one cookie opening hundreds of rooms', () => {
  it('sends the home page a few capped lists per second, and the last one is complete', async () => {
    const { cookie } = await newUser(server.url, 'Opener');
    const { cookie: home } = await newUser(server.url);
    const stream = await RawSse.open(`${server.url}/events?topics=rooms`, { cookie: home });
    await stream.waitForEvent((e) => e.event === 'rooms');
    const started = Date.now();
    const sockets: SocketClient[] = [];
    for (let batch = 0; batch < ROOMS; batch += 50) {
      sockets.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const client = await SocketClient.connect(wsUrl(server.url, `/chat/many-${batch + i}/ws`), { cookie });
            await client.waitFor((f) => f.includes('hx-swap-oob'));
            return client;
          }),
        )),
      );
    }
    const limit = server.platform.config.limits.roomListLimit;
    // The trailing publish carries the final state: the busiest `limit` rooms and a count of the rest.
    await stream.waitForEvent((e) => e.event === 'rooms' && e.data.includes(`and ${ROOMS - limit} more rooms`), 10_000);
    const elapsed = Date.now() - started;
    const lists = stream.events.filter((e) => e.event === 'rooms').slice(1);
    for (const list of lists) expect((list.data.match(/<li /g) ?? []).length).toBeLessThanOrEqual(limit);
    // At most one list per interval (plus the one at the start of the burst), not one per join.
    expect(lists.length).toBeLessThanOrEqual(Math.ceil(elapsed / server.platform.config.limits.roomListIntervalMs) + 2);
    expect(lists.length).toBeLessThan(ROOMS / 4);
    // Unbounded, this stream would carry every join's whole list: ~600²/2 entries (≈ 25 MB).
    expect(stream.text.length).toBeLessThan(2_000_000);
    // The home page itself lists the cap and counts the rest.
    const html = await (await fetch(`${server.url}/`)).text();
    expect((html.match(/<li class="room /g) ?? []).length).toBe(limit);
    expect(html).toContain(`and ${ROOMS - limit} more rooms`);
    stream.close();
    for (const s of sockets) s.close();
  });
});
