import { toFragment, type FragmentSource } from '../../ports/fragment.ts';
import type { Hub, TopicEvent, TopicListener } from '../../ports/hub.ts';
import { topicWire } from '../../ports/topic-wire.ts';
import { topicObject, type WorkerEnv } from './env.ts';
import { FeedDecoder } from './topic-feed.ts';

const REOPEN_DELAY_MS = 1000;

/**
 * The hub as the Worker (or another object) sees it: each topic lives in its own TopicObject,
 * which numbers, keeps and fans out its events. `subscribe` holds a feed from that object for as
 * long as the listener wants it. A feed that ends without being asked to is opened again
 * (`'reopen'`, for long-lived subscribers inside objects) or reported to `onLost` (a Worker request,
 * whose SSE stream then ends so the client resumes from its last id).
 */
export class RoutedHub implements Hub {
  private readonly feeds = new Set<ReadableStreamDefaultReader<Uint8Array>>();
  /** Per topic, the feeds being opened: reads of a topic wait for them so no event falls between. */
  private readonly opening = new Map<string, Promise<unknown>>();

  constructor(
    private readonly env: WorkerEnv,
    private readonly onLost: 'reopen' | ((topic: string) => void),
  ) {}

  async publish(topic: string, event: string, content: FragmentSource): Promise<TopicEvent> {
    const fragment = toFragment(content);
    const id = await topicObject(this.env, topic).publish(topic, topicWire.body(event, fragment));
    return { id, event, fragment };
  }

  subscribe(topic: string, listener: TopicListener, onResync?: () => void): () => void {
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let cancelled = false;
    const open = () => {
      const opened = topicObject(this.env, topic)
        .fetch(`https://topic.internal/subscribe?topic=${encodeURIComponent(topic)}`)
        .then((res) => {
          if (!res.ok || !res.body) throw new Error(`topic ${topic} refused the subscription: ${res.status}`);
          reader = res.body.getReader();
          reader.closed.catch(() => {});
          if (cancelled) void reader.cancel().catch(() => {});
          else this.feeds.add(reader);
        });
      this.opening.set(topic, Promise.all([this.opening.get(topic), opened]).catch(() => {}));
      void opened
        .then(async () => {
          const decoder = new FeedDecoder();
          for (;;) {
            const { done, value } = await reader!.read();
            if (done) break;
            for (const event of decoder.push(value)) listener(event);
          }
        })
        // A feed also breaks when the request holding it is torn down: onLost decides what that means.
        .catch(() => {})
        .finally(() => {
          if (reader) this.feeds.delete(reader);
          if (cancelled) return;
          if (this.onLost !== 'reopen') return this.onLost(topic);
          // Events published while the feed was down are missed: the subscriber catches up once it is back.
          setTimeout(() => {
            if (cancelled) return;
            open();
            onResync?.();
          }, REOPEN_DELAY_MS);
        });
    };
    open();
    return () => {
      cancelled = true;
      if (reader) {
        this.feeds.delete(reader);
        void reader.cancel().catch(() => {});
      }
    };
  }

  async since(topic: string, lastId: number): Promise<TopicEvent[] | null> {
    await this.opening.get(topic);
    const events = await topicObject(this.env, topic).since(topic, lastId);
    return events ? events.map(topicWire.decode) : null;
  }

  async head(topic: string): Promise<number> {
    await this.opening.get(topic);
    return topicObject(this.env, topic).head(topic);
  }

  async close(): Promise<void> {
    for (const reader of this.feeds) void reader.cancel().catch(() => {});
    this.feeds.clear();
  }
}
