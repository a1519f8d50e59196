import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLink } from '../../app/cluster/link.ts';
import { RedisHub } from '../../app/cluster/redis-hub.ts';
import { keys } from '../../app/cluster/keys.ts';
import { Fragment } from '../../app/ports/fragment.ts';
import type { TopicEvent } from '../../app/ports/hub.ts';
import { topicWire } from '../../app/ports/topic-wire.ts';
import { encodeFeedEvent, FeedDecoder } from '../../app/platform/worker/topic-feed.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';

const RING = 3;
let redis: RedisServer;
const links: RedisLink[] = [];
let renders = 0;

/** One "instance": its own connections and hub. */
async function instance(): Promise<RedisHub> {
  const link = new RedisLink(redis.url, 200);
  links.push(link);
  const hub = new RedisHub(link, RING, 3600, () => renders++);
  if (!(await link.ready(5000))) throw new Error('redis unreachable');
  return hub;
}

function collect(hub: RedisHub, topic: string): { events: TopicEvent[]; resyncs: number } {
  const seen = { events: [] as TopicEvent[], resyncs: 0 };
  hub.subscribe(topic, (event) => seen.events.push(event), () => seen.resyncs++);
  return seen;
}

const until = async (check: () => boolean) => expect.poll(check, { timeout: 5000 }).toBe(true);

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(links.map((link) => link.close()));
  await redis?.kill();
});

describe('SPEC 7 cluster hub (Redis)', () => {
  it('gives a topic one id sequence across instances and delivers every event to every instance in that order', async () => {
    const [one, two] = [await instance(), await instance()];
    const onOne = collect(one, 'room:order');
    const onTwo = collect(two, 'room:order');
    await new Promise((r) => setTimeout(r, 100)); // subscriptions reach Redis
    const before = renders;
    const published = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => (n % 2 ? one : two).publish('room:order', 'message', `<p>${n}</p>`)));
    expect(renders - before).toBe(6);
    await until(() => onOne.events.length === 6 && onTwo.events.length === 6);
    const ids = onOne.events.map((e) => e.id);
    expect(onTwo.events.map((e) => e.id)).toEqual(ids);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    expect(published.map((e) => e.id).sort((x, y) => x - y)).toEqual(ids);
    expect(onTwo.events.map((e) => e.fragment.html).sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => `<p>${n}</p>`));
  });

  it('replays exactly the missed events on another instance, and reports a gap past the bounded log', async () => {
    const [one, two] = [await instance(), await instance()];
    const first = await one.publish('dashboard', 'orders', '<span>1</span>');
    const second = await one.publish('dashboard', 'orders', '<span>2</span>');
    const third = await one.publish('dashboard', 'revenue', 'line one\nline two');
    expect(await two.since('dashboard', first.id)).toEqual([
      { id: second.id, event: 'orders', fragment: expect.objectContaining({ html: '<span>2</span>' }) },
      { id: third.id, event: 'revenue', fragment: expect.objectContaining({ html: 'line one\nline two' }) },
    ]);
    expect(await two.since('dashboard', third.id)).toEqual([]);
    expect(await two.since('dashboard', third.id + 1)).toBeNull();
    for (let i = 0; i < RING; i++) await one.publish('dashboard', 'orders', `<span>${i}</span>`);
    expect(await two.since('dashboard', first.id)).toBeNull();
    expect(await two.since('never-published', 5)).toBeNull();
  });

  it('resubscribes after Redis restarts, asks subscribers to resync, and keeps ids increasing', async () => {
    const [one, two] = [await instance(), await instance()];
    const onTwo = collect(two, 'room:restart');
    await new Promise((r) => setTimeout(r, 100));
    const before = await one.publish('room:restart', 'message', 'before');
    await until(() => onTwo.events.length === 1);
    await redis.kill();
    await expect(one.publish('room:restart', 'message', 'during')).rejects.toThrow();
    await redis.restart();
    await until(() => links.every((link) => link.reachable));
    await until(() => onTwo.resyncs === 1);
    const after = await one.publish('room:restart', 'message', 'after');
    await until(() => onTwo.events.length === 2);
    expect(onTwo.events.map((e) => e.fragment.html)).toEqual(['before', 'after']);
    expect(after.id).toBeGreaterThan(before.id);
  });

  it('keeps and publishes each event in the one topic wire encoding a Durable Object feed carries too', async () => {
    const [one, two] = [await instance(), await instance()];
    const onTwo = collect(two, 'room:wire');
    await new Promise((r) => setTimeout(r, 100));
    const fragment = Fragment.perMajor((major) => `<li id="m1" hx-swap-oob="${major === 2 ? 'beforeend:#messages' : 'true'}">line one\nline two — é</li>`);
    const published = await one.publish('room:wire', 'message', fragment);
    await until(() => onTwo.events.length === 1);
    const [kept] = await links[0]!.commands.zrange(keys.topicLog('room:wire'), '0', '-1');
    expect(kept).toBe(topicWire.encode(published));
    // What Redis delivered, sent on through a topic object's feed, arrives as it was published.
    const [fromFeed] = new FeedDecoder().push(encodeFeedEvent(onTwo.events[0]!));
    expect(topicWire.encode(fromFeed!)).toBe(kept);
    expect([fromFeed!.fragment.for(2).html, fromFeed!.fragment.for(4).html]).toEqual([fragment.for(2).html, fragment.for(4).html]);
  });
});
