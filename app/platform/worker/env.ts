import { readConfig, type Config } from '../../config.ts';

/**
 * The Durable Object classes by binding. Each object's own file adds itself here
 * (`declare module './env.ts'`), so the stubs below are typed by the classes without this file
 * importing them: the objects import this file, never the other way round.
 */
export interface DurableObjects {}

/** The Worker's bindings (wrangler.toml) and its variables: the same names as the Node environment (SPEC §2). */
export interface WorkerEnv {
  /** One object per chat room / lobby (`chat:NAME`, `lobby:ID`): its sockets (hibernation API), history and lobby state. */
  ROOMS: DurableObjectNamespace<DurableObjects['ROOMS']>;
  /** One object per topic: `rooms`, `dashboard`, `online`, and `user:ID` (a user's name and notifications). */
  TOPICS: DurableObjectNamespace<DurableObjects['TOPICS']>;
  /** `name:NAME` per display name (who goes by it, for @mentions), and `directory` for the fallback session secret. */
  DIRECTORY: DurableObjectNamespace<DurableObjects['DIRECTORY']>;
  ASSETS: Fetcher;
  SESSION_SECRET?: string;
  API_TOKEN?: string;
  ALLOWED_ORIGINS?: string;
  HEARTBEAT_MS?: string;
  HISTORY_LIMIT?: string;
  MAX_BUFFERED_BYTES?: string;
  LOBBY_GRACE_MS?: string;
  HTMX_VERSION?: string;
  /** Host identity and private rooms (SPEC §9); the secret and key are best kept as secrets. */
  AUTH_JWT_SECRET?: string;
  AUTH_JWT_PUBLIC_KEY?: string;
  AUTH_REQUIRED?: string;
  AUTH_LOGIN_URL?: string;
  PRIVATE_ROOMS?: string;
  MATCH_ROUNDS?: string;
  MATCH_TEMPO_MS?: string;
  /** Tests only: `true` adds `x-switchboard-app-builds` (how many times this isolate built the app) to answers. */
  EXPOSE_APP_BUILDS?: string;
}

/** The variables among the bindings, read and validated exactly as on Node. */
export function workerConfig(env: WorkerEnv): Config {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string') vars[name] = value;
  return readConfig(vars);
}

/** The two kinds of socket rooms; an object's name is `KIND:NAME`. */
export type RoomKind = 'chat' | 'lobby';

export const roomObject = (env: WorkerEnv, kind: RoomKind, name: string) => env.ROOMS.get(env.ROOMS.idFromName(`${kind}:${name}`));
export const topicObject = (env: WorkerEnv, topic: string) => env.TOPICS.get(env.TOPICS.idFromName(topic));
export const directoryObject = (env: WorkerEnv, name = 'directory') => env.DIRECTORY.get(env.DIRECTORY.idFromName(name));
/** The one object the counters and gauges of every request and room object are added up in (/metrics). */
export const statsObject = (env: WorkerEnv) => directoryObject(env, 'stats');

/** The trusted header the Worker puts the checked identity in when it forwards a socket to its room. */
export const VIEWER_HEADER = 'x-switchboard-viewer';
