import { toFragment, type Fragment, type FragmentSource } from './fragment.ts';

/** One published event of a topic. Ids increase within a topic and are never reused. */
export interface TopicEvent {
  id: number;
  event: string;
  fragment: Fragment;
}

export type TopicListener = (event: TopicEvent) => void;

/**
 * Topic fan-out shared by every feature: chat rooms, lobbies and SSE topics all publish here.
 * In one process it is `LocalHub`; in cluster mode the same interface is backed by Redis.
 */
export interface Hub {
  /** `content`: markup both htmx majors share, or a fragment rendered per major (SPEC §8). */
  publish(topic: string, event: string, content: FragmentSource): Promise<TopicEvent>;
  /**
   * `onResync` runs when the hub may have missed events (cluster mode, after Redis was
   * unreachable): the subscriber should send its clients a fresh snapshot. LocalHub never calls it.
   */
  subscribe(topic: string, listener: TopicListener, onResync?: () => void): () => void;
  /** The events after `lastId` in order, or null when the ring no longer holds all of them. */
  since(topic: string, lastId: number): Promise<TopicEvent[] | null>;
  /** The id of the topic's newest event (a fresh topic has a clock-based starting id). */
  head(topic: string): Promise<number>;
  close(): Promise<void>;
}

class Ring {
  private readonly items: TopicEvent[] = [];
  constructor(private readonly capacity: number) {}

  push(event: TopicEvent): void {
    this.items.push(event);
    if (this.items.length > this.capacity) this.items.shift();
  }

  since(lastId: number, currentId: number): TopicEvent[] | null {
    if (lastId === currentId) return [];
    if (lastId > currentId) return null;
    const first = this.items[0];
    if (!first || first.id > lastId + 1) return null;
    return this.items.filter((item) => item.id > lastId);
  }
}

export class LocalHub implements Hub {
  private readonly listeners = new Map<string, Set<TopicListener>>();
  private readonly rings = new Map<string, Ring>();
  private readonly lastIds = new Map<string, number>();
  /** Ids start from the clock so that an id from before a restart is never mistaken for a new one. */
  private readonly epoch = Date.now() * 1000;

  constructor(
    private readonly ringSize: number,
    private readonly onRender: () => void = () => {},
    /** Rings kept at most (one per topic: rooms, users…); the least recently published is forgotten first. */
    private readonly maxRings = 10_000,
  ) {}

  async publish(topic: string, event: string, content: FragmentSource): Promise<TopicEvent> {
    this.onRender();
    const id = (this.lastIds.get(topic) ?? this.epoch) + 1;
    this.lastIds.set(topic, id);
    const published: TopicEvent = { id, event, fragment: toFragment(content) };
    const ring = this.rings.get(topic) ?? new Ring(this.ringSize);
    // Re-inserting keeps the map in publish order, so the first key is the stalest ring.
    this.rings.delete(topic);
    this.rings.set(topic, ring);
    if (this.rings.size > this.maxRings) this.rings.delete(this.rings.keys().next().value!);
    ring.push(published);
    for (const listener of this.listeners.get(topic) ?? []) listener(published);
    return published;
  }

  subscribe(topic: string, listener: TopicListener): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(topic);
    };
  }

  async since(topic: string, lastId: number): Promise<TopicEvent[] | null> {
    const ring = this.rings.get(topic);
    const current = this.lastIds.get(topic) ?? this.epoch;
    if (!ring) return lastId === current ? [] : null;
    return ring.since(lastId, current);
  }

  async head(topic: string): Promise<number> {
    return this.lastIds.get(topic) ?? this.epoch;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
