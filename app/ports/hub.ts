import type { Fragment, FragmentSource } from './fragment.ts';

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
