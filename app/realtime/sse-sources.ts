import type { Fragment } from '../ports/fragment.ts';
import type { Hub, TopicEvent } from '../ports/hub.ts';

/** One event on its way to a stream; `position` is where its topic stands once it is sent. */
export interface OutgoingEvent {
  name: string;
  fragment: Fragment;
  /** null: a state event (e.g. an unread count) that does not move the topic's position. */
  position: number | null;
}

export interface CatchUp {
  position: number;
  events: OutgoingEvent[];
}

/**
 * What one SSE topic gives a stream: a snapshot for a fresh connection, the missed events for a
 * reconnect, and the position of each live event from the hub.
 */
export interface TopicSource {
  /** The key of this topic in the stream's event id. */
  readonly key: string;
  readonly hubTopic: string;
  snapshot(): Promise<CatchUp>;
  /** The events after `position`, or null when they are no longer held (the stream then gets a snapshot). */
  replay(position: number): Promise<CatchUp | null>;
  live(event: TopicEvent): OutgoingEvent;
}

/**
 * Events whose position is a durable id (a stored notification's row id) carry it in the
 * published event name, `new-notification#42`, so it crosses the hub, and a process restart, intact.
 */
export const durableEvent = (name: string, id: number) => `${name}#${id}`;

export function readEventName(published: string): { name: string; durableId: number | null } {
  const at = published.indexOf('#');
  if (at < 0) return { name: published, durableId: null };
  const id = Number(published.slice(at + 1));
  return { name: published.slice(0, at), durableId: Number.isSafeInteger(id) ? id : null };
}

export interface SnapshotEvent {
  name: string;
  /** Rendered per htmx major: `sseFragment` (app/realtime/sse-fragment.tsx). */
  fragment: Fragment;
}

/** A topic whose history is the hub's ring: `rooms` and `dashboard`. */
export function hubSource(hub: Hub, key: string, hubTopic: string, snapshot: () => Promise<SnapshotEvent[]>): TopicSource {
  const fromHub = (event: TopicEvent): OutgoingEvent => ({ name: readEventName(event.event).name, fragment: event.fragment, position: event.id });
  return {
    key,
    hubTopic,
    async snapshot() {
      // The position is read first: anything published while the snapshot renders is also sent live.
      const position = await hub.head(hubTopic);
      const events = (await snapshot()).map((e) => ({ name: e.name, fragment: e.fragment, position }));
      return { position, events };
    },
    async replay(position) {
      const missed = await hub.since(hubTopic, position);
      if (!missed) return null;
      return { position: missed.at(-1)?.id ?? position, events: missed.map(fromHub) };
    },
    live: fromHub,
  };
}
