/** Every setting and bound of the app, read and validated in one place (SPEC §2, §6). */

/** The htmx major a client runs: 2 (`htmx-ext-ws`/`htmx-ext-sse`) or 4 (`hx-ws`/`hx-sse`), SPEC §8. */
export type HtmxMajor = 2 | 4;

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string | undefined;
  sessionSecret: string | undefined;
  apiToken: string | undefined;
  allowedOrigins: string[];
  heartbeatMs: number;
  historyLimit: number;
  maxBufferedBytes: number;
  /** Cluster mode: how long an instance's liveness key lives without a refresh (SPEC §7). */
  clusterInstanceTtlMs: number;
  /** How long a lobby keeps a player whose last tab closed, so a reload makes no leave/join noise. */
  lobbyGraceMs: number;
  /** Open sockets + SSE streams per user, across every connection and instance (SPEC §6). */
  maxConnectionsPerUser: number;
  /** Lobby match (SPEC §4.3.1): rounds per match. */
  matchRounds: number;
  /** Lobby match: the beat of the countdown; GO comes 1–4 beats into a round, a round nobody presses ends 5 beats after GO. */
  matchTempoMs: number;
  /** The htmx major the pages load (SPEC §8); sockets and streams serve both whatever it says. */
  htmxVersion: HtmxMajor;
  /** Honour X-Forwarded-For/Proto/Host from the proxy in front (SPEC §6). */
  trustProxy: boolean;
  /** New identities per client address per minute, with a burst of the same size; 0: no limit. */
  newIdentitiesPerMinute: number;
  /** Host identity and private rooms (SPEC §9). */
  auth: AuthConfig;
  limits: Limits;
}

/** How the host application signs people in, and which rooms are private (SPEC §9). */
export interface AuthConfig {
  /** HS256 secret for host tokens. */
  jwtSecret: string | undefined;
  /** PEM public key (RS256 or ES256) for host tokens. */
  jwtPublicKey: string | undefined;
  /** No anonymous people: every page, socket and stream needs a host-token session. */
  required: boolean;
  /** Where AUTH_REQUIRED sends a visitor without a session (`?next=PATH` appended); unset: a 401 page. */
  loginUrl: string | undefined;
  /** Room name patterns (`team-*`, `board`) that are private. */
  privateRooms: string[];
}

/** Fixed bounds of the contract; tests may lower some of them through `overrides`. */
export interface Limits {
  maxFrameBytes: number;
  maxBodyBytes: number;
  maxMessageChars: number;
  maxNameChars: number;
  rateBurst: number;
  ratePerSecond: number;
  maxToasts: number;
  maxLobbyPlayers: number;
  sseRingSize: number;
  /** Topics whose rings are kept; past it the least recently published topic's ring is dropped (it then resumes by snapshot). */
  maxTopicRings: number;
  /** Bytes one replay ring holds at most; its oldest events are dropped first. */
  maxRingBytes: number;
  sparklinePoints: number;
  /** Cluster mode (Redis) bounds: messages kept per room, notifications per user, points per metric. */
  clusterHistoryPerRoom: number;
  clusterNotificationsPerUser: number;
  clusterMetricPoints: number;
  /** Cluster mode: events kept for catch-up in the Redis log of a topic SSE does not replay (chat, lobby, user topics). */
  clusterCatchUpEvents: number;
  /** Cluster mode: such a log (and its sequence) expires this long after the topic's last event. */
  clusterCatchUpTtlSeconds: number;
  /** Cluster mode: idle topic logs and sequences expire after this many seconds. */
  clusterTopicTtlSeconds: number;
  /** Cluster mode: the longest wait between two attempts to reach Redis. */
  redisRetryMaxMs: number;
  /** The reconnection delay the first SSE event asks browsers to use. */
  sseRetryMs: number;
  /** Distinct dashboard metrics; a new name past it is refused. */
  maxMetrics: number;
  /** Metrics in one `{"metrics":[…]}` body. */
  maxMetricBatch: number;
  maxLabelChars: number;
  /** Built-in dashboard metrics are recomputed at most this often after a change. */
  dashboardRefreshMs: number;
  /** Rooms the home page lists (the busiest first); the rest are counted in one line. */
  roomListLimit: number;
  /** The home page's room list is published at most once per this many milliseconds. */
  roomListIntervalMs: number;
  /** Notifications listed on /notifications. */
  notificationsShown: number;
  /** `@name` mentions acted on per chat message. */
  maxMentions: number;
  /** Mention notifications one sender can cause one recipient per minute; past it they are not sent. */
  mentionsPerRecipientPerMinute: number;
  /** Sender→recipient pairs the mention cap tracks at once; past it new pairs are refused until old windows end. */
  maxMentionPairs: number;
  /** People remembered per chat room as having been in it (whom `@name` there can reach); the longest-absent are forgotten. */
  maxRoomParticipants: number;
  /** Stored notifications per user; older ones are deleted. */
  maxNotificationsPerUser: number;
  /** Lobby match presses per player: a burst, then this many per second (across all of the player's tabs). */
  pressBurst: number;
  pressesPerSecond: number;
  /** Largest magnitude of a dashboard value (a sparkline of ±1e308 would divide infinities). */
  maxMetricMagnitude: number;
  /** Client addresses the new-identity limiter remembers; past it the least recently seen is forgotten. */
  maxTrackedAddresses: number;
  /** Lifetime of the session cookie in seconds (400 days: the longest browsers keep one). */
  sessionMaxAgeSeconds: number;
  /** A session cookie older than this is issued again with a fresh issue time (rolling expiry). */
  sessionRenewAfterSeconds: number;
  /** Host tokens: the longest token accepted, in characters. */
  maxTokenChars: number;
  /** Host tokens: clock skew allowed on `exp` and `nbf`, in seconds. */
  tokenClockSkewSeconds: number;
  /** Host tokens: entries of the `rooms` claim. */
  maxTokenRooms: number;
  /** Host tokens: used `jti`s remembered at once (per process; cluster and Workers keep them in shared storage). */
  maxUsedTokenIds: number;
  /** Private rooms: explicit members per room. */
  maxRoomMembers: number;
}

export const LIMITS: Limits = {
  maxFrameBytes: 64 * 1024,
  maxBodyBytes: 64 * 1024,
  maxMessageChars: 2000,
  maxNameChars: 32,
  rateBurst: 10,
  ratePerSecond: 1,
  maxToasts: 5,
  maxLobbyPlayers: 8,
  sseRingSize: 500,
  maxTopicRings: 10_000,
  maxRingBytes: 4 * 1024 * 1024,
  sparklinePoints: 30,
  clusterHistoryPerRoom: 10_000,
  clusterNotificationsPerUser: 200,
  clusterMetricPoints: 120,
  clusterTopicTtlSeconds: 7 * 24 * 3600,
  clusterCatchUpEvents: 20,
  clusterCatchUpTtlSeconds: 60,
  redisRetryMaxMs: 1000,
  sseRetryMs: 2000,
  maxMetrics: 200,
  maxMetricBatch: 100,
  maxLabelChars: 64,
  dashboardRefreshMs: 250,
  roomListLimit: 50,
  roomListIntervalMs: 250,
  notificationsShown: 100,
  maxMentions: 10,
  mentionsPerRecipientPerMinute: 5,
  maxMentionPairs: 100_000,
  maxRoomParticipants: 10_000,
  maxNotificationsPerUser: 200,
  pressBurst: 3,
  pressesPerSecond: 2,
  maxMetricMagnitude: 1e15,
  maxTrackedAddresses: 10_000,
  sessionMaxAgeSeconds: 400 * 24 * 3600,
  sessionRenewAfterSeconds: 24 * 3600,
  maxTokenChars: 8192,
  tokenClockSkewSeconds: 30,
  maxTokenRooms: 32,
  maxUsedTokenIds: 100_000,
  maxRoomMembers: 10_000,
};

/** The shortest API_TOKEN accepted: shorter ones can be guessed. */
export const MIN_API_TOKEN_CHARS = 16;

/** Private room patterns: a room name, or a prefix followed by `*` (`team-*`). */
export const ROOM_PATTERN = /^[a-z0-9_-]{1,64}\*?$|^\*$/;

/** Room, lobby and metric names: 1–64 of [a-z0-9_-]. */
export const ID_PATTERN = /^[a-z0-9_-]{1,64}$/;

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function origins(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      try {
        const url = new URL(item);
        if (url.origin === 'null') throw new Error('opaque');
        return url.origin;
      } catch {
        throw new ConfigError(`ALLOWED_ORIGINS must be a comma-separated list of origins like https://example.com, got "${item}"`);
      }
    });
}

function htmxVersion(raw: string | undefined): HtmxMajor {
  const value = raw?.trim() || '2';
  if (value === '2' || value === '4') return Number(value) as HtmxMajor;
  throw new ConfigError(`HTMX_VERSION must be 2 or 4 (the htmx major the pages load), got "${raw}"`);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function roomPatterns(name: string, raw: string | undefined): string[] {
  const patterns = (raw ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  for (const pattern of patterns) {
    if (!ROOM_PATTERN.test(pattern)) throw new ConfigError(`${name} must be comma-separated room names or prefixes ending in * (team-*), got "${pattern}"`);
  }
  return patterns;
}

function readAuth(env: Env): AuthConfig {
  const jwtSecret = env.AUTH_JWT_SECRET || undefined;
  if (jwtSecret !== undefined && jwtSecret.length < 32) throw new ConfigError('AUTH_JWT_SECRET must be at least 32 characters long (HS256)');
  // Workers' [vars] and .env files often carry the PEM with literal \n.
  const jwtPublicKey = env.AUTH_JWT_PUBLIC_KEY?.trim().replace(/\\n/g, '\n') || undefined;
  if (jwtPublicKey !== undefined && !jwtPublicKey.startsWith('-----BEGIN PUBLIC KEY-----')) {
    throw new ConfigError('AUTH_JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----…), RS256 or ES256');
  }
  const loginUrl = env.AUTH_LOGIN_URL?.trim() || undefined;
  if (loginUrl !== undefined && !/^(https?:\/\/|\/)/.test(loginUrl)) {
    throw new ConfigError(`AUTH_LOGIN_URL must be an http(s) URL or a path starting with /, got "${loginUrl}"`);
  }
  const required = boolean(env, 'AUTH_REQUIRED', false);
  if (required && !jwtSecret && !jwtPublicKey) throw new ConfigError('AUTH_REQUIRED=true needs AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEY to sign people in');
  return { jwtSecret, jwtPublicKey, required, loginUrl, privateRooms: roomPatterns('PRIVATE_ROOMS', env.PRIVATE_ROOMS) };
}

export function readConfig(env: Env, overrides: Partial<Limits> = {}): Config {
  const host = env.HOST?.trim() || '0.0.0.0';
  const databaseUrl = env.DATABASE_URL?.trim() || 'file:data/switchboard.db';
  if (databaseUrl !== ':memory:' && !/^(file|libsql|https?|wss?):/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a libSQL URL (file:…, libsql://…) or :memory:, got "${databaseUrl}"`);
  }
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got "${redisUrl}"`);
  }
  const sessionSecret = env.SESSION_SECRET || undefined;
  if (sessionSecret !== undefined && sessionSecret.length < 16) {
    throw new ConfigError('SESSION_SECRET must be at least 16 characters long');
  }
  const apiToken = env.API_TOKEN || undefined;
  if (apiToken !== undefined && apiToken.length < MIN_API_TOKEN_CHARS) {
    throw new ConfigError(`API_TOKEN must be at least ${MIN_API_TOKEN_CHARS} characters long (it is ${apiToken.length})`);
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    databaseUrl,
    redisUrl,
    sessionSecret,
    apiToken,
    allowedOrigins: origins(env.ALLOWED_ORIGINS),
    heartbeatMs: integer(env, 'HEARTBEAT_MS', 15000, 50, 3_600_000),
    historyLimit: integer(env, 'HISTORY_LIMIT', 50, 1, 1000),
    maxBufferedBytes: integer(env, 'MAX_BUFFERED_BYTES', 1_048_576, 1024, 1_073_741_824),
    clusterInstanceTtlMs: integer(env, 'CLUSTER_INSTANCE_TTL_MS', 15000, 300, 3_600_000),
    lobbyGraceMs: integer(env, 'LOBBY_GRACE_MS', 3000, 0, 60_000),
    maxConnectionsPerUser: integer(env, 'MAX_CONNECTIONS_PER_USER', 32, 1, 1_000_000),
    matchRounds: integer(env, 'MATCH_ROUNDS', 5, 1, 50),
    matchTempoMs: integer(env, 'MATCH_TEMPO_MS', 1000, 10, 60_000),
    htmxVersion: htmxVersion(env.HTMX_VERSION),
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    newIdentitiesPerMinute: integer(env, 'NEW_IDENTITIES_PER_MINUTE', 120, 0, 1_000_000),
    auth: readAuth(env),
    limits: { ...LIMITS, ...overrides },
  };
}
