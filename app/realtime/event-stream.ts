import type { Platform } from '../ports/platform.ts';
import type { Viewer } from '../../components/Header.tsx';
import type { HtmxMajor } from '../ports/fragment.ts';
import type { TopicEvent } from '../ports/hub.ts';
import type { Positions } from './sse-position.ts';
import type { OutgoingEvent, TopicSource } from './sse-sources.ts';
import { SseStream } from './sse-stream.ts';
import type { EventWriter } from '../ports/transport.ts';
import { whenClosing } from './closing.ts';

/** Live events a stream may hold back while it catches up, whatever the ring size. */
const MIN_PENDING_EVENTS = 100;

export interface EventStreamHooks {
  /** The set of connected users may have changed (a stream opened or closed). */
  onConnectionsChanged(): void;
}

/**
 * Runs one `GET /events` stream until the client leaves, the write side fails, it falls too far
 * behind, or the server shuts down. Live events are buffered while the stream catches up
 * (snapshot or replay per topic), then sent in order with each topic's position in the id.
 */
export async function runEventStream(
  api: EventWriter,
  platform: Pick<Platform, 'config' | 'stats' | 'hub' | 'presence' | 'closing' | 'connections'>,
  viewer: Viewer,
  sources: TopicSource[],
  resumeFrom: Positions,
  presenceTopic: string,
  hooks: EventStreamHooks,
  major: HtmxMajor = 2,
): Promise<void> {
  const { config, stats, hub, presence, closing } = platform;
  // Streams that end together share heartbeat timers: the process's on Node and Deno, one request's on Workers.
  const stream = new SseStream(api, { maxBufferedBytes: config.maxBufferedBytes, retryMs: config.limits.sseRetryMs, heartbeatMs: config.heartbeatMs, major, heartbeatScope: closing }, stats);
  // Topics not caught up yet keep the position the client came back with, in case it drops again.
  const positions: Positions = new Map(sources.filter((s) => resumeFrom.has(s.key)).map((s) => [s.key, resumeFrom.get(s.key)!]));
  let pending: Array<[TopicSource, TopicEvent]> | null = [];

  // The id is written as SHARED,OWN: SHARED holds the positions in the topics other streams have too
  // (`rooms`, `dashboard`), so every stream at the same place writes the same bytes for it (SseStream);
  // OWN is the last source, the viewer's own topic (`user:42`). Both are rebuilt only when they move.
  const own = sources.at(-1);
  const sharedKeys = sources.slice(0, -1).map((s) => s.key);
  const ownPart = () => (own && positions.has(own.key) ? `${own.key}:${positions.get(own.key)}` : '');
  const sharedPart = () => {
    let id = '';
    for (const key of sharedKeys) {
      const position = positions.get(key);
      if (position !== undefined) id += `${id ? ',' : ''}${key}:${position}`;
    }
    return id;
  };
  let sharedId = sharedPart();
  let ownId = ownPart();
  const moveTo = (source: TopicSource, position: number) => {
    if (positions.get(source.key) === position) return;
    positions.set(source.key, position);
    if (source === own) ownId = ownPart();
    else sharedId = sharedPart();
  };
  const send = (source: TopicSource, event: OutgoingEvent) => {
    if (event.position !== null) moveTo(source, event.position);
    stream.send(event.name, event.fragment, sharedId, ownId);
  };
  /** A live event is sent once: not if the catch-up already covered it. */
  const sendLive = (source: TopicSource, event: OutgoingEvent) => {
    const current = positions.get(source.key);
    if (event.position !== null && current !== undefined && event.position <= current) return;
    send(source, event);
  };

  const unsubscribes = sources.map((source) =>
    hub.subscribe(source.hubTopic, (event) => {
      if (stream.isEnded) return;
      if (!pending) return sendLive(source, source.live(event));
      // A client that cannot even be caught up before a ring's worth of news is too slow. (Not fewer
      // than 100 events: a server configured with tiny rings still lets a snapshot finish while a
      // burst goes by; the snapshot's store reads take a thread hop on Node.)
      if (pending.length >= Math.max(config.limits.sseRingSize, MIN_PENDING_EVENTS)) return stream.dropSlowClient();
      pending.push([source, event]);
    }),
  );
  const stopWatching = whenClosing(closing, () => stream.end());
  const unregister = platform.connections.add(viewer.userId, { room: null, end: () => stream.end() });
  stats.openStreams++;

  try {
    await presence.join(presenceTopic, { userId: viewer.userId, name: viewer.name ?? '' });
    hooks.onConnectionsChanged();
    for (const source of sources) {
      if (stream.isEnded) break;
      const from = resumeFrom.get(source.key);
      const catchUp = (from !== undefined ? await source.replay(from) : null) ?? (await source.snapshot());
      for (const event of catchUp.events) send(source, event);
      moveTo(source, catchUp.position);
    }
    stream.sendRetryIfFirst();
    const buffered = pending;
    pending = null;
    for (const [source, event] of buffered) if (!stream.isEnded) sendLive(source, source.live(event));
    await stream.ended;
  } catch (error) {
    // While the server shuts down, storage closes under streams still catching up: not a failure.
    if (!closing.aborted) console.error('event stream failed', error);
    stream.end();
  } finally {
    for (const unsubscribe of unsubscribes) unsubscribe();
    stopWatching();
    unregister();
    stats.openStreams--;
    await presence.leave(presenceTopic, viewer.userId).catch((error) => console.error('presence leave failed', error));
    hooks.onConnectionsChanged();
  }
}
