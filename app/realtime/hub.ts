import { toFragment, type FragmentSource } from '../ports/fragment.ts';
import type { Hub, TopicEvent, TopicListener } from '../ports/hub.ts';

/** The SSE topics whose events a reconnecting stream replays from the hub (SPEC §4.6); only they keep a ring or log. */
export const REPLAYED_TOPICS: ReadonlySet<string> = new Set(['rooms', 'dashboard']);
export const isReplayedTopic = (topic: string): boolean => REPLAYED_TOPICS.has(topic);

/** Bytes an event holds in a ring: its HTML as UTF-16 and, once sent, its UTF-8 bytes. */
const eventBytes = (event: TopicEvent) => event.fragment.html.length * 3 + 64;

interface RingItem {
  event: TopicEvent;
  /** The id of the topic's event before this one: ids are shared by all topics, so this links a topic's own events. */
  prev: number;
  bytes: number;
}

/** A topic's last events, bounded by count and by bytes. */
class Ring {
  private readonly items: RingItem[] = [];
  private head = 0;
  bytes = 0;
  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number,
    /** The topic's newest id (or the id it was first asked about). */
    public lastId: number,
  ) {}

  push(event: TopicEvent): void {
    const bytes = eventBytes(event);
    this.items.push({ event, prev: this.lastId, bytes });
    this.lastId = event.id;
    this.bytes += bytes;
    while (this.items.length - this.head > this.capacity || (this.bytes > this.maxBytes && this.items.length - this.head > 1)) {
      this.bytes -= this.items[this.head]!.bytes;
      this.items[this.head++] = undefined as unknown as RingItem;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }

  get length(): number {
    return this.items.length - this.head;
  }

  since(lastId: number): TopicEvent[] | null {
    if (lastId === this.lastId) return [];
    if (lastId > this.lastId) return null;
    for (let i = this.head; i < this.items.length; i++) {
      if (this.items[i]!.prev === lastId) return this.items.slice(i).map((item) => item.event);
    }
    return null;
  }
}

export interface LocalHubOptions {
  /** Which topics keep a replay ring; others are fanned out and forgotten. Default: the SSE topics. */
  replayed?: (topic: string) => boolean;
  /** Bytes one ring holds at most (its oldest events are dropped first). */
  maxRingBytes?: number;
}

/**
 * The in-process hub. Only replayed topics (SSE `rooms`, `dashboard`) keep a ring; chat and lobby
 * topics are fanned out to their listeners and nothing of them stays once the last listener leaves.
 * Ids come from one counter shared by every topic, starting from the clock, so a topic that was
 * forgotten never hands out an id again, and an id from before a restart is never mistaken for a newer one.
 */
export class LocalHub implements Hub {
  private readonly listeners = new Map<string, Set<TopicListener>>();
  private readonly rings = new Map<string, Ring>();
  private seq = Date.now() * 1000;
  private readonly replayed: (topic: string) => boolean;
  private readonly maxRingBytes: number;

  constructor(
    private readonly ringSize: number,
    private readonly onRender: () => void = () => {},
    /** Rings kept at most; the least recently published is forgotten first. */
    private readonly maxRings = 10_000,
    options: LocalHubOptions = {},
  ) {
    this.replayed = options.replayed ?? isReplayedTopic;
    this.maxRingBytes = options.maxRingBytes ?? 4 * 1024 * 1024;
  }

  async publish(topic: string, event: string, content: FragmentSource): Promise<TopicEvent> {
    this.onRender();
    const published: TopicEvent = { id: ++this.seq, event, fragment: toFragment(content) };
    if (this.replayed(topic)) this.ringFor(topic, -1).push(published);
    for (const listener of this.listeners.get(topic) ?? []) listener(published);
    return published;
  }

  subscribe(topic: string, listener: TopicListener): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(topic) === set) this.listeners.delete(topic);
    };
  }

  async since(topic: string, lastId: number): Promise<TopicEvent[] | null> {
    return this.rings.get(topic)?.since(lastId) ?? null;
  }

  /** A replayed topic's newest id; from here on its ring can answer `since`. Other topics: the shared counter. */
  async head(topic: string): Promise<number> {
    if (!this.replayed(topic)) return this.seq;
    return (this.rings.get(topic) ?? this.ringFor(topic, this.seq)).lastId;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  /** Live structure sizes, for tests and diagnostics. */
  sizes(): { hubTopics: number; rings: number; ringEvents: number; ringBytes: number } {
    let ringEvents = 0;
    let ringBytes = 0;
    for (const ring of this.rings.values()) {
      ringEvents += ring.length;
      ringBytes += ring.bytes;
    }
    return { hubTopics: this.listeners.size, rings: this.rings.size, ringEvents, ringBytes };
  }

  private ringFor(topic: string, lastId: number): Ring {
    const ring = this.rings.get(topic) ?? new Ring(this.ringSize, this.maxRingBytes, lastId);
    // Re-inserting keeps the map in use order, so the first key is the stalest ring.
    this.rings.delete(topic);
    this.rings.set(topic, ring);
    if (this.rings.size > this.maxRings) this.rings.delete(this.rings.keys().next().value!);
    return ring;
  }
}
