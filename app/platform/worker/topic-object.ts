import { DurableObject } from 'cloudflare:workers';
import type { Config } from '../../config.ts';
import { LocalHub } from '../../realtime/hub.ts';
import type { TopicEvent } from '../../ports/hub.ts';
import { topicWire } from '../../ports/topic-wire.ts';
import type { PresenceEntry } from '../../ports/presence.ts';
import { DurableSqlStore } from '../../store/durable-sql.ts';
import type { MetricPoint, Notification } from '../../ports/store.ts';
import { roomObject, topicObject, workerConfig, type RoomKind, type WorkerEnv } from './env.ts';
import { encodeFeedEvent, FEED_HEARTBEAT } from './topic-feed.ts';
import type { MetricView } from '../../../components/Dashboard.tsx';
import { DASHBOARD_TOPIC, MetricBoard, type MetricInput } from '../../realtime/metric-board.tsx';
import { ROOMS_TOPIC } from '../../realtime/room-list.tsx';
import { objectPlatform } from './object-platform.ts';
import { toWire, type WireCatchUp } from './remote-board.ts';
import { serveCall, TOPIC_STORE_CALLS } from './object-calls.ts';

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS presence_counts (topic TEXT PRIMARY KEY, online INTEGER NOT NULL)',
  // `rooms`: chat rooms made private through the API, reported by their room objects, so the room list needs one call.
  'CREATE TABLE IF NOT EXISTS private_rooms (room TEXT PRIMARY KEY)',
  // `user:ID`: the room objects holding this user's sockets, so a disconnect reaches them all.
  'CREATE TABLE IF NOT EXISTS user_rooms (object TEXT PRIMARY KEY, sockets INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS presence (topic TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL, connections INTEGER NOT NULL, PRIMARY KEY (topic, user_id))',
];

/**
 * One topic: `rooms`, `dashboard`, `online` or `user:ID`. It numbers, keeps (the hub's ring) and
 * fans out the topic's events to every subscribed feed, and keeps the topic's slice of the shared
 * schema in its own SQLite (a user's notifications, the dashboard's metrics). The `rooms` object
 * also holds the online count of every presence topic, reported by the objects that own them.
 */
export class TopicObject extends DurableObject<WorkerEnv> {
  private readonly config: Config;
  private readonly store: DurableSqlStore;
  private readonly hub: LocalHub;
  /** Each event encoded once for all feeds. */
  private readonly encoded = new WeakMap<TopicEvent, Uint8Array>();
  private dashboard: MetricBoard | undefined;
  /** The open feeds, so a disconnect can end them (a user topic's feeds are that user's streams). */
  private readonly feeds = new Set<(finished?: boolean) => void>();

  constructor(ctx: DurableObjectState, env: WorkerEnv) {
    super(ctx, env);
    this.config = workerConfig(env);
    this.store = new DurableSqlStore(ctx.storage);
    // One SSE topic per object (rooms, dashboard or a user's notifications): its ring is what a resuming stream replays.
    this.hub = new LocalHub(this.config.limits.sseRingSize, undefined, 1, { replayed: () => true });
    for (const statement of SCHEMA) ctx.storage.sql.exec(statement);
  }

  /** `GET /subscribe?topic=…`: the topic's live events as a feed, until the subscriber goes away. */
  async fetch(request: Request): Promise<Response> {
    const topic = new URL(request.url).searchParams.get('topic');
    if (!topic) return new Response('missing "topic"', { status: 400 });
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    // A subscriber that goes away errors the stream; that is handled through `end`, not reported.
    writer.closed.catch(() => {});
    let queued = 0;
    let ended = false;
    /** `finished`: ended on purpose (a disconnect), so the feed closes cleanly instead of failing. */
    const end = (finished?: boolean) => {
      if (ended) return;
      ended = true;
      this.feeds.delete(end);
      unsubscribe();
      clearInterval(heartbeat);
      (finished === true ? writer.close() : writer.abort()).catch(() => {});
    };
    const write = (bytes: Uint8Array) => {
      if (ended) return;
      // A subscriber that stopped reading is let go: its feed ends and its stream resumes by replay.
      queued += bytes.byteLength;
      if (queued > this.config.maxBufferedBytes) return end();
      writer.write(bytes).then(() => (queued -= bytes.byteLength), () => end());
    };
    const unsubscribe = this.hub.subscribe(topic, (event) => {
      let bytes = this.encoded.get(event);
      if (!bytes) this.encoded.set(event, (bytes = encodeFeedEvent(event)));
      write(bytes);
    });
    const heartbeat = setInterval(() => write(FEED_HEARTBEAT), this.config.heartbeatMs);
    this.feeds.add(end);
    return new Response(readable, { headers: { 'content-type': 'application/x-ndjson' } });
  }

  /** `rooms`: a room object reports its API privacy flag after each change. */
  setRoomPrivate(room: string, flagged: boolean): void {
    if (flagged) this.ctx.storage.sql.exec('INSERT OR IGNORE INTO private_rooms (room) VALUES (?)', room);
    else this.ctx.storage.sql.exec('DELETE FROM private_rooms WHERE room = ?', room);
  }

  /** `rooms`: the flagged rooms among `rooms`. */
  privateRoomsAmong(rooms: string[]): string[] {
    if (rooms.length === 0) return [];
    return this.ctx.storage.sql
      // One bound parameter, however many rooms (Durable Object SQL allows 100 per statement).
      .exec<{ room: string }>('SELECT room FROM private_rooms WHERE room IN (SELECT value FROM json_each(?))', JSON.stringify(rooms))
      .toArray()
      .map((row) => row.room);
  }

  /** `user:ID`: a room object reports a socket of this user opening (+1) or closing (-1). */
  noteSocket(object: string, delta: number): void {
    const { sql } = this.ctx.storage;
    sql.exec(
      'INSERT INTO user_rooms (object, sockets) VALUES (?, ?) ON CONFLICT (object) DO UPDATE SET sockets = sockets + excluded.sockets',
      object,
      delta,
    );
    sql.exec('DELETE FROM user_rooms WHERE sockets <= 0');
  }

  /** `user:ID`: ends every stream (feed) and every socket of the user; answers how many. */
  async disconnectUser(userId: string): Promise<number> {
    const streams = this.feeds.size;
    for (const end of [...this.feeds]) end(true);
    const objects = this.ctx.storage.sql.exec<{ object: string }>('SELECT object FROM user_rooms').toArray();
    const sockets = await Promise.all(
      objects.map(({ object }) => {
        const [kind, ...rest] = object.split(':');
        return roomObject(this.env, kind as RoomKind, rest.join(':')).endUser(userId, 'disconnected').catch(() => 0);
      }),
    );
    return streams + sockets.reduce((sum, n) => sum + n, 0);
  }

  /** `body`: the event as `topicWire.body` encodes it; answers the id this topic gave it. */
  async publish(topic: string, body: string): Promise<number> {
    const { event, fragment } = topicWire.readBody(body);
    return (await this.hub.publish(topic, event, fragment)).id;
  }

  /** The events after `lastId` as `topicWire` entries, or null when the ring no longer holds them all. */
  async since(topic: string, lastId: number): Promise<string[] | null> {
    const events = await this.hub.since(topic, lastId);
    return events ? events.map(topicWire.encode) : null;
  }

  head(topic: string): Promise<number> {
    return this.hub.head(topic);
  }

  /** Presence of a topic this object owns (`online`: users with an open stream); counts go to `rooms`. */
  async presenceJoin(topic: string, entry: PresenceEntry): Promise<boolean> {
    const { sql } = this.ctx.storage;
    const [row] = sql.exec('SELECT 1 FROM presence WHERE topic = ? AND user_id = ?', topic, entry.userId).toArray();
    sql.exec(
      'INSERT INTO presence (topic, user_id, name, connections) VALUES (?, ?, ?, 1) ON CONFLICT (topic, user_id) DO UPDATE SET connections = connections + 1, name = excluded.name',
      topic,
      entry.userId,
      entry.name,
    );
    if (!row) await this.reportCount(topic);
    return !row;
  }

  async presenceLeave(topic: string, userId: string): Promise<boolean> {
    const { sql } = this.ctx.storage;
    const [row] = sql.exec<{ connections: number }>('SELECT connections FROM presence WHERE topic = ? AND user_id = ?', topic, userId).toArray();
    if (!row) return false;
    if (row.connections > 1) {
      sql.exec('UPDATE presence SET connections = connections - 1 WHERE topic = ? AND user_id = ?', topic, userId);
      return false;
    }
    sql.exec('DELETE FROM presence WHERE topic = ? AND user_id = ?', topic, userId);
    await this.reportCount(topic);
    return true;
  }

  presenceRename(topic: string, userId: string, name: string): void {
    this.ctx.storage.sql.exec('UPDATE presence SET name = ? WHERE topic = ? AND user_id = ?', name, topic, userId);
  }

  presenceList(topic: string): PresenceEntry[] {
    return this.ctx.storage.sql
      .exec<{ user_id: string; name: string }>('SELECT user_id, name FROM presence WHERE topic = ?', topic)
      .toArray()
      .map((row) => ({ userId: row.user_id, name: row.name }));
  }

  /** `rooms`: an object reports the online count of a presence topic it owns after each change. */
  setCount(topic: string, online: number): void {
    const { sql } = this.ctx.storage;
    if (online > 0) sql.exec('INSERT INTO presence_counts (topic, online) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET online = excluded.online', topic, online);
    else sql.exec('DELETE FROM presence_counts WHERE topic = ?', topic);
  }

  counts(): Map<string, number> {
    const rows = this.ctx.storage.sql.exec<{ topic: string; online: number }>('SELECT topic, online FROM presence_counts').toArray();
    return new Map(rows.map((row) => [row.topic, row.online]));
  }

  /** `dashboard`: every room reports each stored message (its time only), so `messages-today` counts all rooms; two days are kept. */
  async recordMessage(at: number): Promise<void> {
    await this.store.addMessage({ room: '', userId: '', name: '', text: '', at });
    this.ctx.storage.sql.exec('DELETE FROM messages WHERE at < ?', at - 2 * 86_400_000);
    this.board().touch();
  }

  /** `dashboard`: the one MetricBoard, over this object's metrics and its own hub for the topic. */
  private board(): MetricBoard {
    return (this.dashboard ??= new MetricBoard(objectPlatform(this.env, { hub: this.hub, owns: (t) => t === DASHBOARD_TOPIC, store: this.store })));
  }

  /** RPC: the Store's calls on a user's name and notifications, the dashboard's metrics and message count (object-calls.ts). */
  storeCall(method: string, args: unknown[]): Promise<unknown> {
    return serveCall(this.store, TOPIC_STORE_CALLS, method, args);
  }

  touchBoard(): void {
    this.board().touch();
  }

  /** Null when stored and published; else why the metrics were refused. */
  recordMetrics(inputs: MetricInput[]): Promise<string | null> {
    return this.board().record(inputs);
  }

  boardViews(): Promise<MetricView[]> {
    return this.board().views();
  }

  /** A fresh stream's snapshot (`position` null) or a reconnect's replay (null when no longer held). */
  async boardCatchUp(position: number | null): Promise<WireCatchUp | null> {
    const source = this.board().source();
    const catchUp = position === null ? await source.snapshot() : await source.replay(position);
    return catchUp ? toWire(catchUp) : null;
  }

  private async reportCount(topic: string): Promise<void> {
    const [row] = this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM presence WHERE topic = ?', topic).toArray();
    await topicObject(this.env, ROOMS_TOPIC).setCount(topic, Number(row?.n ?? 0));
  }
}

declare module './env.ts' {
  interface DurableObjects {
    TOPICS: TopicObject;
  }
}
