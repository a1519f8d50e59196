import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { newUser, sleep } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { RawSse, SseClient } from '../helpers/sse.ts';

const MAX_BUFFERED = 256 * 1024;
let server: NodeServer;

beforeAll(async () => {
  server = await startServer({ MAX_BUFFERED_BYTES: String(MAX_BUFFERED) }, { sseRingSize: 20 });
});
afterAll(() => server.shutdown());

describe('SPEC 6 slow SSE consumers', () => {
  it('ends a stream whose unsent bytes pass MAX_BUFFERED_BYTES; other streams keep everything', async () => {
    const slowUser = await newUser(server.url, 'Slow');
    const fastUser = await newUser(server.url, 'Fast');
    const slow = await RawSse.open(`${server.url}/events?topics=dashboard`, { cookie: slowUser.cookie });
    await slow.waitFor((r) => r.events.some((e) => e.event === 'notification-count'));
    const fast = new SseClient(`${server.url}/events?topics=dashboard`, ['bulk', 'notification-count'], fastUser.cookie);
    await fast.waitFor((c) => c.named('notification-count').length > 0);
    slow.pause();

    const { stats, hub } = server.platform;
    const droppedBefore = stats.slowClientsDropped;
    const streamsBefore = stats.openStreams;
    const chunk = `<p>${'x'.repeat(32 * 1024)}</p>`;
    let published = 0;
    // Enough to fill the kernel's socket buffers and then MAX_BUFFERED_BYTES; stop as soon as the drop happens.
    while (stats.slowClientsDropped === droppedBefore && published < 4000) {
      await hub.publish('dashboard', 'bulk', chunk);
      published++;
      await fast.waitFor((c) => c.named('bulk').length === published, 10_000);
    }
    expect(stats.slowClientsDropped).toBe(droppedBefore + 1);
    expect(fast.opens).toBe(1);
    expect(stats.openStreams).toBe(streamsBefore - 1);

    // After the drop the server holds nothing more for it, whatever is published.
    for (let i = 0; i < 20; i++) {
      await hub.publish('dashboard', 'bulk', chunk);
      published++;
      await fast.waitFor((c) => c.named('bulk').length === published, 10_000);
    }
    expect(fast.opens).toBe(1);
    expect(fast.named('bulk').every((e) => e.data === chunk)).toBe(true);
    expect(fast.source.readyState).toBe(fast.source.OPEN);

    // The slow client, once it reads again, finds its stream ended (no more than it was sent).
    slow.response!.resume();
    await slow.waitFor((r) => r.ended, 10_000);
    expect(slow.events.filter((e) => e.event === 'bulk').length).toBeLessThan(published);
    fast.close();
    await sleep(50);
  });
});
