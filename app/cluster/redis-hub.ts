import { toFragment, type FragmentSource } from '../ports/fragment.ts';
import type { Hub, TopicEvent, TopicListener } from '../ports/hub.ts';
import { topicWire } from '../ports/topic-wire.ts';
import { keys } from './keys.ts';
import type { RedisLink } from './link.ts';
import { LuaScript } from './lua.ts';
import { isReplayedTopic } from '../realtime/hub.ts';

/**
 * Takes the topic's next id, keeps the event in the topic's bounded log and publishes it, as one
 * step: every instance sees a topic's events in id order. Ids start from the clock (microseconds)
 * when a topic's sequence is new, so ids from before a Redis restart are never handed out again.
 * ARGV[2] is the event's body (`topicWire.body`); the entry kept and published is `topicWire`'s
 * "ID\nBODY". Ids are formatted with %.0f because tostring() rounds them.
 */
const PUBLISH = new LuaScript(
  `if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[4]) end
   local id = string.format('%.0f', redis.call('INCR', KEYS[1]))
   local entry = id .. '\\n' .. ARGV[2]
   redis.call('ZADD', KEYS[2], id, entry)
   redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[3]) + 1))
   redis.call('EXPIRE', KEYS[1], ARGV[5])
   redis.call('EXPIRE', KEYS[2], ARGV[5])
   redis.call('PUBLISH', ARGV[1], entry)
   return id`,
  2,
);

/** The topic's current id, creating the sequence if it is new. */
const CURRENT = new LuaScript(
  `if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
   return redis.call('GET', KEYS[1])`,
  1,
);

/** {1, entries…} with the events after ARGV[1]; {0} when the log no longer holds all of them. */
const SINCE = new LuaScript(
  `local current = redis.call('GET', KEYS[1])
   if not current then return {0} end
   local last, now = tonumber(ARGV[1]), tonumber(current)
   if last == now then return {1} end
   if last > now then return {0} end
   local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
   if #first == 0 or tonumber(first[2]) > last + 1 then return {0} end
   local items = redis.call('ZRANGE', KEYS[2], '(' .. ARGV[1], '+inf', 'BYSCORE')
   table.insert(items, 1, 1)
   return items`,
  2,
);

interface Subscriber {
  listener: TopicListener;
  onResync?: () => void;
}

/** This instance's interest in one topic: who listens, the last id delivered, events held back while catching up. */
interface TopicState {
  subscribers: Set<Subscriber>;
  lastId: number | null;
  catchingUp: boolean;
  held: TopicEvent[];
}

/**
 * The hub of cluster mode. A publish is rendered once at the publishing instance; every instance
 * (the publisher too) receives it through Redis pub/sub and encodes it once for all its sockets.
 * Delivery follows Redis order, so clients on every instance see a topic's events in the same order.
 */
export class RedisHub implements Hub {
  private readonly topics = new Map<string, TopicState>();

  constructor(
    private readonly link: RedisLink,
    private readonly ringSize: number,
    private readonly topicTtlSeconds: number,
    private readonly onRender: () => void = () => {},
    /**
     * Topics SSE does not replay (chat rooms, lobbies, users) keep only a short catch-up log, for
     * an instance that subscribes or reconnects while events are in flight: this many events,
     * expiring this long after the topic's last event.
     */
    private readonly shortLog = { ringSize: 20, ttlSeconds: 60 },
  ) {
    link.subscriber.on('message', (channel: string, entry: string) => this.receive(channel, entry));
    link.onRecover(() => this.resubscribeAll());
  }

  async publish(topic: string, event: string, content: FragmentSource): Promise<TopicEvent> {
    this.onRender();
    // Crossing to other instances: rendered here once per htmx major that differs.
    const fragment = toFragment(content);
    const body = topicWire.body(event, fragment);
    const id = await PUBLISH.run(
      this.link.commands,
      [keys.topicSeq(topic), keys.topicLog(topic)],
      isReplayedTopic(topic)
        ? [keys.topicChannel(topic), body, this.ringSize, this.epochId(), this.topicTtlSeconds]
        : [keys.topicChannel(topic), body, this.shortLog.ringSize, this.epochId(), this.shortLog.ttlSeconds],
    );
    return { id: Number(id), event, fragment };
  }

  /** Listeners get every event published after Redis has seen the subscription; `onResync` runs after each outage. */
  subscribe(topic: string, listener: TopicListener, onResync?: () => void): () => void {
    let state = this.topics.get(topic);
    const subscriber: Subscriber = { listener, onResync };
    if (!state) {
      this.topics.set(topic, (state = { subscribers: new Set(), lastId: null, catchingUp: false, held: [] }));
      state.subscribers.add(subscriber);
      if (this.link.reachable) this.catchUp(topic, state).catch(() => {});
    } else {
      state.subscribers.add(subscriber);
    }
    return () => {
      state.subscribers.delete(subscriber);
      if (state.subscribers.size > 0 || this.topics.get(topic) !== state) return;
      this.topics.delete(topic);
      if (this.link.reachable) this.link.subscriber.unsubscribe(keys.topicChannel(topic)).catch(() => {});
    };
  }

  async since(topic: string, lastId: number): Promise<TopicEvent[] | null> {
    const reply = (await SINCE.run(this.link.commands, [keys.topicSeq(topic), keys.topicLog(topic)], [lastId])) as [number, ...string[]];
    if (reply[0] === 0) return null;
    return reply.slice(1).map((entry) => topicWire.decode(entry as string));
  }

  /** The id of the topic's newest event; a new topic's sequence starts from the clock. */
  async head(topic: string): Promise<number> {
    return Number(await CURRENT.run(this.link.commands, [keys.topicSeq(topic)], [this.epochId(), this.topicTtlSeconds]));
  }

  async close(): Promise<void> {
    this.topics.clear();
  }

  private epochId(): number {
    return Date.now() * 1000;
  }

  private receive(channel: string, entry: string): void {
    if (!channel.startsWith(keys.topicChannelPrefix)) return;
    const state = this.topics.get(channel.slice(keys.topicChannelPrefix.length));
    if (!state) return;
    const event = topicWire.decode(entry);
    if (!state.catchingUp) return this.deliver(state, event);
    state.held.push(event);
    if (state.held.length > this.ringSize) state.held.shift();
  }

  private deliver(state: TopicState, event: TopicEvent): void {
    if (state.lastId !== null && event.id <= state.lastId) return;
    state.lastId = event.id;
    for (const subscriber of state.subscribers) subscriber.listener(event);
  }

  /**
   * Subscribes, then fetches from the log whatever was published since the last delivered id (or
   * since the subscription began), holding live events back meanwhile so order is kept.
   */
  private async catchUp(topic: string, state: TopicState): Promise<void> {
    state.catchingUp = true;
    try {
      if (state.lastId === null) {
        state.lastId = await this.head(topic);
      }
      await this.link.subscriber.subscribe(keys.topicChannel(topic));
      for (const event of (await this.since(topic, state.lastId)) ?? []) this.deliver(state, event);
    } finally {
      state.catchingUp = false;
      const held = state.held;
      state.held = [];
      for (const event of held) this.deliver(state, event);
    }
  }

  /** After an outage: resubscribe every topic, deliver what the log still holds, then let rooms resend snapshots. */
  private async resubscribeAll(): Promise<void> {
    for (const [topic, state] of this.topics) await this.catchUp(topic, state);
    for (const state of this.topics.values()) for (const subscriber of state.subscribers) subscriber.onResync?.();
  }
}
