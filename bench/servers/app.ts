/**
 * The app under test, started the way `npm start` starts it (startNode with a file database), with
 * bench-only changes: the per-connection rate limit is raised so one sender can post at the bench
 * rate, `stats` hands the runner the platform counters plus renders of the bench's own events, and the time
 * spent in durable writes (chat messages, metrics) is measured so the report can tell storage from fan-out.
 */
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readConfig } from '../../app/config.ts';
import { startNode } from '../../app/platform/node.ts';
import { frameCounter } from '../../app/platform/node-frames.ts';
import { BENCH_SECRET, BENCH_TOKEN } from '../lib/credentials.ts';
import { controlledBy, fatal } from './control.ts';

try {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const config = readConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: process.env.BENCH_DATABASE === 'memory' ? ':memory:' : `file:${join(dir, 'bench.db')}`,
      SESSION_SECRET: BENCH_SECRET,
      API_TOKEN: BENCH_TOKEN,
      HEARTBEAT_MS: process.env.HEARTBEAT_MS ?? '15000',
      // Thousands of load clients share one loopback address.
      NEW_IDENTITIES_PER_MINUTE: '0',
      // …and a few named users (LOAD_USERS): each holds hundreds of sockets or streams at 2,000 clients.
      MAX_CONNECTIONS_PER_USER: '1000000',
    },
    { rateBurst: 1_000_000, ratePerSecond: 1_000_000 },
  );
  const server = await startNode(config);
  const seed = Number(process.env.BENCH_SEED_MESSAGES ?? 0);
  for (let i = 0; i < seed; i++) {
    await server.platform.store.addMessage({ room: 'general', userId: 'seed', name: 'Seed', text: `seeded message ${i} `.padEnd(80, '.'), at: Date.now() });
  }
  const store = server.platform.store;
  const timing = { storeWrites: 0, storeWriteMs: 0, storeWriteMaxMs: 0 };
  /** Times a store write: chat messages and dashboard metrics are each committed before they are broadcast. */
  const timed = <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await write(...args);
      } finally {
        const ms = performance.now() - started;
        timing.storeWrites++;
        timing.storeWriteMs += ms;
        timing.storeWriteMaxMs = Math.max(timing.storeWriteMaxMs, ms);
      }
    };
  store.addMessage = timed(store.addMessage.bind(store));
  store.addMetric = timed(store.addMetric.bind(store));
  // Every broadcast renders its fragment once and hands the HTML to one `publish`; counting publishes
  // of the bench's own events (chat messages, the bench metric) separates them from other topics'
  // (the dashboard's built-in metrics also publish while chat messages arrive).
  const hub = server.platform.hub;
  const publish = hub.publish.bind(hub);
  const rendered = { chatMessageRenders: 0, benchMetricRenders: 0 };
  hub.publish = (topic, event, html) => {
    if (topic === 'chat:general' && event === 'message') rendered.chatMessageRenders++;
    if (event === 'bench') rendered.benchMetricRenders++;
    return publish(topic, event, html);
  };
  const stats = () => {
    const snapshot = { ...server.platform.stats, ...timing, ...rendered, framesBuilt: frameCounter.built };
    timing.storeWriteMaxMs = 0; // the slowest write since the previous request, like the event-loop delay
    return snapshot;
  };
  controlledBy(server.port, stats, () => server.shutdown());
} catch (error) {
  fatal(error);
}
