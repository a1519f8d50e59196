import type { MiddlewareHandler } from 'hono';
import { contextStorage, tryGetContext } from 'hono/context-storage';
import type { Config } from '../../config.ts';
import type { Board } from '../../realtime/metric-board.tsx';
import type { Notifier } from '../../realtime/notifier.tsx';
import type { Presence } from '../../ports/presence.ts';
import { Stats } from '../../realtime/stats.ts';
import type { Platform } from '../../ports/platform.ts';
import type { WorkerEnv } from './env.ts';
import { STAT_NAMES } from './reported-stats.ts';
import { UnkeptHistory } from '../../realtime/history-cache.tsx';
import { UserNames } from '../../user-cache.ts';

/** The platform's members that belong to one request (the rest need none: see `isolatePlatform`). */
export type RequestPlatform = Pick<
  Platform,
  'config' | 'store' | 'hub' | 'presence' | 'lobbies' | 'membership' | 'usedTokens' | 'control' | 'stats' | 'metrics' | 'announceRename' | 'identityLimiter' | 'streamEvents' | 'closing'
>;

/**
 * What one request brings: its bindings, and everything whose life is the request's (its stats,
 * its topic feeds, its `closing` signal, `waitUntil` for work that outlives the answer).
 */
export interface RequestBackend {
  env: WorkerEnv;
  platform: RequestPlatform;
  board: Board;
  notifier: Notifier;
}

/** The Hono environment of the Worker's app: the request's backend is a context variable. */
export type ScopeEnv = { Bindings: WorkerEnv; Variables: { backend: RequestBackend } };

/** The backend of the request being served (Hono's context storage finds its context). */
export function currentBackend(): RequestBackend {
  const backend = tryGetContext<ScopeEnv>()?.var.backend;
  if (!backend) throw new Error("the Worker's backend is only reached while a request runs (through its Hono context)");
  return backend;
}

/**
 * Runs first on every request: sets `backend` (built from the context's bindings, execution
 * context and request) and makes the context reachable from the code the request runs.
 */
export function requestScope(build: (c: Parameters<MiddlewareHandler<ScopeEnv>>[0]) => Promise<RequestBackend>): MiddlewareHandler<ScopeEnv> {
  const storage = contextStorage();
  return async (c, next) => {
    c.set('backend', await build(c));
    await storage(c, next);
  };
}

/** `pick(backend)` of whichever request calls: each property is looked up at the call, in that request's own object. */
export function scoped<T extends object>(pick: (backend: RequestBackend) => T): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = pick(currentBackend());
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set: (_, key, value) => Reflect.set(pick(currentBackend()), key, value),
    has: (_, key) => key in pick(currentBackend()),
  });
}

/**
 * The platform the Worker's app is built on, once per isolate. Its members hold no request: each
 * call reaches the backend of the request that makes it (`currentBackend`), so the gauges, feeds
 * and `closing` signal are that request's own, as when the app was built per request.
 */
export function isolatePlatform(
  config: Config,
  sessionSecret: string,
  /** What needs no request: the same for every request of the isolate. */
  fixed: Pick<Platform, 'upgradeWebSocket' | 'connections' | 'rateLimits' | 'connectionLimits' | 'locks' | 'fanout' | 'matches' | 'random' | 'health'>,
): Platform {
  const platform = () => currentBackend().platform;
  const presence: Presence = {
    join: (topic, entry) => platform().presence.join(topic, entry),
    leave: (topic, userId) => platform().presence.leave(topic, userId),
    list: (topic) => platform().presence.list(topic),
    rename: (topic, userId, name) => platform().presence.rename(topic, userId, name),
    count: (topic) => platform().presence.count(topic),
    counts: () => platform().presence.counts(),
    // Presence changes only through its objects' own joins and leaves (RoutedPresence): nothing to watch here.
    watch: () => () => {},
  };
  const stats = new Stats();
  for (const name of STAT_NAMES) {
    Object.defineProperty(stats, name, {
      enumerable: true,
      get: () => platform().stats[name],
      set: (value: number) => (platform().stats[name] = value),
    });
  }
  const store = scoped((b) => b.platform.store);
  return {
    config,
    sessionSecret,
    store,
    // The room and topic objects write every room and name: nothing read is kept from one request to the next.
    history: new UnkeptHistory(store, config.historyLimit),
    names: new UserNames(store, false),
    hub: scoped((b) => b.platform.hub),
    presence,
    lobbies: scoped((b) => b.platform.lobbies),
    membership: scoped((b) => b.platform.membership),
    usedTokens: scoped((b) => b.platform.usedTokens),
    control: scoped((b) => b.platform.control),
    stats,
    metrics: scoped((b) => b.platform.metrics),
    ...fixed,
    announceRename: (userId, name) => platform().announceRename(userId, name),
    // Cloudflare puts the visitor's address here; TRUST_PROXY is for proxies in front of Node and Deno.
    peerAddress: (c) => c.req.header('cf-connecting-ip'),
    identityLimiter: { take: (address) => platform().identityLimiter.take(address) },
    serveStatic: async (c) => (c.env as WorkerEnv).ASSETS.fetch(c.req.raw),
    streamEvents: (c, headers, run) => platform().streamEvents(c, headers, run),
    get closing() {
      return platform().closing;
    },
  };
}
