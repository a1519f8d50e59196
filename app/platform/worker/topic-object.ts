import { DurableObject } from 'cloudflare:workers';
import { DurableSqlStore } from '../../store/durable-sql.ts';
import type { MetricPoint, Notification } from '../../store/store.ts';
import type { WorkerEnv } from './env.ts';

/**
 * One SSE topic: `rooms` (online counts of every room and lobby), `dashboard` (metrics) or
 * `user:ID` (one user's notifications). Each keeps its slice of the shared schema in its own SQLite.
 */
export class TopicObject extends DurableObject<WorkerEnv> {
  private readonly store: DurableSqlStore;

  constructor(ctx: DurableObjectState, env: WorkerEnv) {
    super(ctx, env);
    this.store = new DurableSqlStore(ctx.storage);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS room_counts (topic TEXT PRIMARY KEY, online INTEGER NOT NULL)');
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS message_log (at INTEGER NOT NULL)');
  }

  /** `rooms`: a room object reports its online count after every join and leave. */
  setCount(topic: string, online: number): void {
    const { sql } = this.ctx.storage;
    if (online > 0) sql.exec('INSERT INTO room_counts (topic, online) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET online = excluded.online', topic, online);
    else sql.exec('DELETE FROM room_counts WHERE topic = ?', topic);
  }

  counts(): Map<string, number> {
    const rows = this.ctx.storage.sql.exec<{ topic: string; online: number }>('SELECT topic, online FROM room_counts').toArray();
    return new Map(rows.map((row) => [row.topic, row.online]));
  }

  /** `dashboard`: every room reports each stored message, so `messages-today` counts all rooms; two days are kept. */
  recordMessage(at: number): void {
    const { sql } = this.ctx.storage;
    sql.exec('INSERT INTO message_log (at) VALUES (?)', at);
    sql.exec('DELETE FROM message_log WHERE at < ?', at - 2 * 86_400_000);
  }

  countMessagesSince(at: number): number {
    return Number(this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM message_log WHERE at >= ?', at).one().n);
  }

  addMetric(point: MetricPoint): Promise<void> {
    return this.store.addMetric(point);
  }

  metricSeries(points: number): Promise<Map<string, MetricPoint[]>> {
    return this.store.metricSeries(points);
  }

  addNotification(notification: Omit<Notification, 'id' | 'read'>): Promise<Notification> {
    return this.store.addNotification(notification);
  }

  notifications(userId: string, limit: number): Promise<Notification[]> {
    return this.store.notifications(userId, limit);
  }

  unreadCount(userId: string): Promise<number> {
    return this.store.unreadCount(userId);
  }

  markAllRead(userId: string): Promise<void> {
    return this.store.markAllRead(userId);
  }
}
