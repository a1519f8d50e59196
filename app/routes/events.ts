import { Hono } from 'hono';
import type { Platform } from '../ports/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import { originGuard } from '../realtime/socket-endpoint.ts';
import { tooManyConnections } from '../realtime/connection-limits.ts';
import { runEventStream } from '../realtime/event-stream.ts';
import { ONLINE_TOPIC, type Board } from '../realtime/metric-board.tsx';
import type { Notifier } from '../realtime/notifier.tsx';
import { roomsSource } from '../realtime/room-list.tsx';
import { parsePositions, type Positions } from '../realtime/sse-position.ts';
import { majorOfStream } from '../htmx-major.ts';
import type { HtmxMajor } from '../config.ts';
import type { Viewer } from '../../components/Header.tsx';
import type { TopicSource } from '../realtime/sse-sources.ts';
import type { EventWriter } from '../ports/transport.ts';

export const SSE_TOPICS = ['rooms', 'dashboard'] as const;
/** What `streamSSE` sends; a platform writing the response itself sends the same. */
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };

/** `topics=a,b` → the topics, or the first one that does not exist. */
export function parseTopics(raw: string | undefined): { ok: true; topics: string[] } | { ok: false; unknown: string } {
  const topics = [...new Set((raw ?? '').split(',').map((t) => t.trim()).filter(Boolean))];
  const unknown = topics.find((t) => !(SSE_TOPICS as readonly string[]).includes(t));
  return unknown === undefined ? { ok: true, topics } : { ok: false, unknown };
}

/** `GET /events?topics=…` (SPEC §4.6): the page's one stream; the user's notifications always ride along. */
/** What the stream route uses: the runtime's stream, connection limits, and what a stream and the room list read. */
export type EventsPlatform = Pick<Platform, 'config' | 'connectionLimits' | 'streamEvents' | 'stats' | 'hub' | 'presence' | 'closing' | 'connections' | 'membership'>;

export function eventRoutes(platform: EventsPlatform, board: Board, notifier: Notifier) {
  const app = new Hono<IdentityEnv>();
  app.get('/', originGuard(platform.config), async (c) => {
    const parsed = parseTopics(c.req.query('topics'));
    if (!parsed.ok) {
      return c.json({ error: `unknown topic "${parsed.unknown.slice(0, 64)}" in "topics"; the topics are ${SSE_TOPICS.join(', ')}` }, 400);
    }
    const viewer = c.get('viewer');
    // MAX_CONNECTIONS_PER_USER counts this stream with the user's sockets (SPEC §6): 429 before streaming.
    const slot = await platform.connectionLimits.acquire(viewer.userId);
    if (slot === null) return c.json({ error: tooManyConnections(platform.config.maxConnectionsPerUser) }, 429);
    const sources: TopicSource[] = parsed.topics.map((topic) => (topic === 'rooms' ? roomsSource(platform) : board.source()));
    sources.push(notifier.source(viewer.userId));
    // The browser's own reconnect (and htmx 4's) sends the header; htmx 2's sse extension reconnects only have the query.
    const resumeFrom = parsePositions(c.req.header('last-event-id') || c.req.query('lastEventId'));
    // Each stream is framed for its own client's htmx major, whatever HTMX_VERSION says (SPEC §8).
    const major = majorOfStream(c.req.url, c.req.raw.headers);
    return platform.streamEvents(c, SSE_HEADERS, streamRunner(platform, board, { viewer, sources, resumeFrom, major, release: () => slot?.release() }));
  });
  return app;
}

/**
 * The stream's work, made outside the route handler: it lives as long as the stream, and a closure
 * made inside the handler would keep the request's whole Hono context (and its request) alive with it.
 */
function streamRunner(
  platform: EventsPlatform,
  board: Board,
  stream: { viewer: Viewer; sources: TopicSource[]; resumeFrom: Positions; major: HtmxMajor; release: () => void },
): (writer: EventWriter) => Promise<void> {
  const { viewer, sources, resumeFrom, major, release } = stream;
  return (writer) => runEventStream(writer, platform, viewer, sources, resumeFrom, ONLINE_TOPIC, { onConnectionsChanged: () => board.touch() }, major).finally(release);
}
