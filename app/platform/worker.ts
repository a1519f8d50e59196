import type { Context, Hono, MiddlewareHandler } from 'hono';
import { createApp } from '../app.tsx';
import { ConfigError, type Config } from '../config.ts';
import type { IdentityEnv } from '../identity.ts';
import { DirectFanout } from '../realtime/room-fanout.ts';
import { addressKey } from '../identity-limit.ts';
import { roomName } from '../names.ts';
import type { SocketUpgrade } from '../ports/transport.ts';
import { perUserLimits } from '../realtime/rate-limit.ts';
import { LocalMatchCoordinator } from '../realtime/match-coordinator.ts';
import { InProcessMetricSeries, inProcessLocks } from '../realtime/in-process.ts';
import type { Connections } from '../ports/access.ts';
import type { ConnectionLimits } from '../ports/limits.ts';
import { ROOMS_TOPIC } from '../realtime/room-list.tsx';
import { directoryObject, roomObject, statsObject, topicObject, VIEWER_HEADER, workerConfig, type RoomKind, type WorkerEnv } from './worker/env.ts';
import { RemoteBoard } from './worker/remote-board.ts';
import { ReportedStats } from './worker/reported-stats.ts';
import { RoutedHub } from './worker/routed-hub.ts';
import { RoutedLobbyState, RoutedPresence } from './worker/routed-presence.ts';
import { RoutedStore } from './worker/routed-store.ts';
import { RoutedConnectionControl, RoutedMembership, RoutedUsedTokens } from './worker/routed-access.ts';
import { currentBackend, isolatePlatform, requestScope, scoped, type RequestBackend, type RequestPlatform } from './worker/request-scope.ts';
import { Notifier } from '../realtime/notifier.tsx';
import { eventResponse } from './worker/event-response.ts';

export { DirectoryObject } from './worker/directory-object.ts';
export { RoomObject } from './worker/room-object.ts';
export { TopicObject } from './worker/topic-object.ts';

/**
 * Sockets live in their room's Durable Object, not in the Worker: after the app's origin and
 * identity checks the upgrade is forwarded there (through the request's own bindings), and the
 * object runs the room's own events.
 */
const forwardToRoom: SocketUpgrade = () => async (c: Context<IdentityEnv & { Bindings: WorkerEnv }>) => {
  const [, kind, raw] = new URL(c.req.url).pathname.split('/') as [string, RoomKind, string];
  const room = roomName(raw)!;
  const viewer = c.get('viewer');
  const headers = new Headers(c.req.raw.headers);
  headers.set(VIEWER_HEADER, JSON.stringify({ userId: viewer.userId, name: viewer.name ?? '', kind, room }));
  const res = await roomObject(c.env, kind, room).fetch(new Request(c.req.raw, { headers }));
  // A fetched response's headers are immutable; the app's middleware still adds its own.
  return new Response(res.body, { status: res.status, headers: res.headers, webSocket: res.webSocket });
};

/**
 * MAX_CONNECTIONS_PER_USER is not enforced on Workers (README: a user's sockets live in many
 * objects; Cloudflare's rate limiting rules stand in): every socket and stream gets a slot.
 */
const unlimitedConnections: ConnectionLimits = {
  acquire: async () => ({ release: () => {} }),
  users: 0,
};

/** A Worker request's SSE stream is not registered with the control plane (its sockets are, in their room objects). */
const notTracked: Connections = {
  add: () => () => {},
};

/** One request's backend, built from its bindings and execution context: nothing here outlives the request. */
async function requestBackend(config: Config, env: WorkerEnv, request: Request, ctx: Pick<ExecutionContext, 'waitUntil'>): Promise<RequestBackend> {
  const statsHome = statsObject(env);
  // This request's streams and fragments count in /metrics whichever request asks; /metrics itself
  // starts from the sums of every request and room object.
  const asksForMetrics = request.method === 'GET' && new URL(request.url).pathname === '/metrics' && request.headers.has('authorization');
  const reported = new ReportedStats(
    (deltas) => {
      const report = Promise.resolve(statsHome.addStats(deltas));
      // ReportedStats says when a report is lost; waitUntil only keeps the request alive for it.
      ctx.waitUntil(report.catch(() => {}));
      return report;
    },
    asksForMetrics ? await statsHome.stats() : {},
    (work) => ctx.waitUntil(work),
  );
  const { stats } = reported;
  // Ends this request's SSE stream: when its client goes away, or when a topic feed it holds ends
  // on its own (the client then resumes from its last id).
  const lifecycle = new AbortController();
  request.signal.addEventListener('abort', () => {
    // First, while the request still runs: its open stream leaves the sums of /metrics.
    reported.end();
    lifecycle.abort();
  });
  const store = new RoutedStore(env);
  const platform: RequestPlatform = {
    config,
    store,
    hub: new RoutedHub(env, () => lifecycle.abort()),
    presence: new RoutedPresence(env, (work) => ctx.waitUntil(work)),
    lobbies: new RoutedLobbyState(env),
    membership: new RoutedMembership(env),
    usedTokens: new RoutedUsedTokens(env),
    control: new RoutedConnectionControl(env),
    stats,
    metrics: new InProcessMetricSeries(store),
    // Each room object has its own hub: every room with someone in it is asked, and the ones
    // holding a socket of this user take the name (one RPC per active room; renames are rare).
    announceRename: async (userId, name) => {
      const counts = await topicObject(env, ROOMS_TOPIC).counts();
      await Promise.all(
        [...counts.keys()].map((topic) => {
          const [kind, room] = topic.split(':') as [string, string];
          return kind === 'chat' || kind === 'lobby' ? roomObject(env, kind, room).rename(userId, name) : undefined;
        }),
      );
    },
    identityLimiter: {
      take: (address) => config.newIdentitiesPerMinute === 0 || directoryObject(env, `mint:${addressKey(address)}`).takeIdentity(config.newIdentitiesPerMinute),
    },
    // Over workerd's own pipe, so a write to a client that has gone ends the stream (event-response.ts).
    // Its work is kept with the request until it has ended: when the client leaves, workerd otherwise
    // drops the request at once, with the topic feeds it holds still open. Kept, the stream's end
    // cancels its feeds and takes its user offline as on the other runtimes.
    streamEvents: (_c, headers, run) => eventResponse(headers, run, (work) => ctx.waitUntil(work)),
    closing: lifecycle.signal,
  };
  return { env, platform, board: new RemoteBoard(env, (work) => ctx.waitUntil(work)), notifier: new Notifier(platform) };
}

/**
 * The app, built once per isolate on the first request: routes and middleware hold no request.
 * Each request's backend is set in its Hono context (`requestScope`) and reached from there.
 */
let isolateApp: Hono<any> | undefined;
/** How many times this isolate built the app (one); shown to tests that ask (`EXPOSE_APP_BUILDS`). */
let appBuilds = 0;

async function appFor(env: WorkerEnv): Promise<Hono<any>> {
  if (isolateApp) return isolateApp;
  const config = workerConfig(env);
  // Asked by each request until the app exists (the directory object answers the same one), so
  // no request waits on a promise another request started.
  const sessionSecret = config.sessionSecret ?? (await directoryObject(env).sessionSecret());
  if (isolateApp) return isolateApp;
  appBuilds++;
  const scope = requestScope((c) => requestBackend(config, c.env, c.req.raw, c.executionCtx));
  const platform = isolatePlatform(config, sessionSecret, {
    upgradeWebSocket: forwardToRoom,
    // Sockets, lobbies and boards live in objects; what a request holds is its own SSE stream.
    connections: notTracked,
    rateLimits: perUserLimits(config, config.limits.rateBurst, config.limits.ratePerSecond),
    connectionLimits: unlimitedConnections,
    locks: inProcessLocks,
    // The Worker holds no room: each lives in its Durable Object (room-object.ts), with its own fan-out.
    fanout: new DirectFanout(new AbortController().signal),
    matches: new LocalMatchCoordinator(),
    random: Math.random,
    health: () => ({ status: 'ok' }),
  });
  isolateApp = createApp(platform, {
    board: scoped((backend) => backend.board),
    notifier: scoped((backend) => backend.notifier),
    postToRoom: (room, userId, name, text) => roomObject(currentBackend().env, 'chat', room).post(room, userId, name, text),
    requestScope: scope as MiddlewareHandler,
  }).app;
  return isolateApp;
}

/** How much of a body the app left unread is still read (and thrown away) so its connection stays usable. */
const UNREAD_BODY_DRAIN_BYTES = 1024 * 1024;

/**
 * The request as the app gets it, and `release`, for after the app answered: it reads and drops
 * whatever of the body the app left unread (up to `UNREAD_BODY_DRAIN_BYTES`, then it cancels).
 * `bodyLimit` answers 413 in the middle of a chunked body and lets go of it half-read; workerd then
 * answered the next request on that keep-alive connection with 503 "Your worker restarted
 * mid-request". Cancelling the body is not enough for that; reading it to its end is.
 */
function releasableBody(request: Request): { request: Request; release: () => Promise<void> } {
  const source = request.body;
  if (!source) return { request, release: async () => {} };
  const reader = source.getReader();
  let finished = false;
  // The read a pull started: a reader takes one read at a time, so `release` waits for it.
  let reading: Promise<unknown> = Promise.resolve();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const read = reader.read();
        reading = read.catch(() => {});
        const { done, value } = await read;
        if (done) {
          finished = true;
          controller.close();
        } else controller.enqueue(value);
      },
      cancel: (reason) => {
        finished = true;
        return reader.cancel(reason);
      },
    },
    // Nothing is read ahead of the app: what it did not ask for is left for `release`.
    { highWaterMark: 0 },
  );
  return {
    request: new Request(request, { body, signal: request.signal }),
    release: async () => {
      if (finished) return;
      finished = true;
      try {
        await reading;
        for (let drained = 0; drained <= UNREAD_BODY_DRAIN_BYTES; ) {
          const { done, value } = await reader.read();
          if (done) return;
          drained += value.byteLength;
        }
        await reader.cancel('the body is too large to read to its end');
      } catch {
        // The client went away: nothing left to keep usable.
      }
    },
  };
}

export default {
  async fetch(request, env, ctx) {
    let app: Hono<any>;
    try {
      app = await appFor(env);
    } catch (error) {
      if (error instanceof ConfigError) return new Response(`switchboard: ${error.message}`, { status: 500 });
      throw error;
    }
    const { request: seen, release } = releasableBody(request);
    let response: Response;
    try {
      response = await app.fetch(seen, env, ctx);
    } finally {
      // Before the answer goes out: workerd does not let a request's body be read after that.
      await release();
    }
    if (env.EXPOSE_APP_BUILDS === 'true') {
      try {
        response.headers.set('x-switchboard-app-builds', String(appBuilds));
      } catch {
        // A response passed on unchanged (immutable headers) goes without it.
      }
    }
    return response;
  },
} satisfies ExportedHandler<WorkerEnv>;
