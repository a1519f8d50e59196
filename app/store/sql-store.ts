import { LIMITS } from '../config.ts';
import type { ChatMessage, MetricPoint, Notification, NotificationLevel, Store } from '../ports/store.ts';

/** The key a display name is looked up by for @mentions (an index, not a scan). */
export const nameKey = (name: string) => name.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
// ASCII folding, like SQLite's lower() (which migrated the existing rows) and the cluster's name sets.

/** A row as both SQL engines return it: column name to value. */
export type Row = Record<string, unknown>;
export type SqlArgs = Array<string | number | null>;

const toMessage = (row: Row): ChatMessage => ({
  id: Number(row.id),
  room: String(row.room),
  userId: String(row.user_id),
  name: String(row.name),
  text: String(row.text),
  at: Number(row.at),
});

const toNotification = (row: Row): Notification => ({
  id: Number(row.id),
  userId: String(row.user_id),
  text: String(row.text),
  level: String(row.level) as NotificationLevel,
  at: Number(row.at),
  read: Number(row.read) === 1,
});

/**
 * Every query of the Store, written once for SQLite. Subclasses only say how a statement runs:
 * `LibsqlStore` through @libsql/client, `DurableSqlStore` through a Durable Object's `storage.sql`.
 */
export abstract class SqlStore implements Store {
  protected abstract rows(sql: string, args?: SqlArgs): Promise<Row[]>;
  /** The same statements for other tables of this database (e.g. room membership). */
  readonly query = (sql: string, args?: SqlArgs): Promise<Row[]> => this.rows(sql, args);
  abstract close(): Promise<void>;

  async addMessage(message: Omit<ChatMessage, 'id'>): Promise<ChatMessage> {
    const [row] = await this.rows(
      'INSERT INTO messages (room, user_id, name, text, at) VALUES (?, ?, ?, ?, ?) RETURNING id',
      [message.room, message.userId, message.name, message.text, message.at],
    );
    return { ...message, id: Number(row!.id) };
  }

  async recentMessages(room: string, limit: number): Promise<ChatMessage[]> {
    const rows = await this.rows('SELECT * FROM messages WHERE room = ? ORDER BY id DESC LIMIT ?', [room, limit]);
    return rows.map(toMessage).reverse();
  }

  async messagesBefore(room: string, beforeId: number, limit: number): Promise<ChatMessage[]> {
    const rows = await this.rows('SELECT * FROM messages WHERE room = ? AND id < ? ORDER BY id DESC LIMIT ?', [room, beforeId, limit]);
    return rows.map(toMessage).reverse();
  }

  async messageIdBefore(room: string, id: number, depth: number): Promise<number | null> {
    const [row] = await this.rows(
      'SELECT id FROM messages WHERE room = ? AND id < ? ORDER BY id DESC LIMIT 1 OFFSET ?',
      [room, id, depth - 1],
    );
    return row ? Number(row.id) : null;
  }

  async countMessagesSince(at: number): Promise<number> {
    const [row] = await this.rows('SELECT COUNT(*) AS n FROM messages WHERE at >= ?', [at]);
    return Number(row!.n);
  }

  async setUserName(userId: string, name: string): Promise<void> {
    await this.rows(
      'INSERT INTO users (id, name, name_key) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key',
      [userId, name, nameKey(name)],
    );
  }

  async userName(userId: string): Promise<string | null> {
    const [row] = await this.rows('SELECT name FROM users WHERE id = ?', [userId]);
    return row ? String(row.name) : null;
  }

  async userIdsNamed(name: string): Promise<string[]> {
    return (await this.rows('SELECT id FROM users WHERE name_key = ?', [nameKey(name)])).map((row) => String(row.id));
  }

  async addRoomMember(room: string, userId: string, at: number): Promise<void> {
    await this.rows('INSERT INTO room_participants (room, user_id, at) VALUES (?, ?, ?) ON CONFLICT (room, user_id) DO UPDATE SET at = excluded.at', [room, userId, at]);
    await this.rows(
      'DELETE FROM room_participants WHERE room = ? AND at < (SELECT at FROM room_participants WHERE room = ? ORDER BY at DESC LIMIT 1 OFFSET ?)',
      [room, room, LIMITS.maxRoomParticipants - 1],
    );
  }

  async roomMembersNamed(room: string, name: string): Promise<string[]> {
    const rows = await this.rows(
      'SELECT u.id FROM users u JOIN room_participants m ON m.room = ? AND m.user_id = u.id WHERE u.name_key = ?',
      [room, nameKey(name)],
    );
    return rows.map((row) => String(row.id));
  }

  /** Of `userIds`, those who have been in the room (Workers: the room's object answers this for the name index). */
  async roomMembersAmong(room: string, userIds: readonly string[]): Promise<string[]> {
    const members: string[] = [];
    for (const userId of userIds) {
      if ((await this.rows('SELECT 1 FROM room_participants WHERE room = ? AND user_id = ?', [room, userId])).length > 0) members.push(userId);
    }
    return members;
  }

  async addNotification(n: Omit<Notification, 'id' | 'read'>): Promise<Notification> {
    const [row] = await this.rows(
      'INSERT INTO notifications (user_id, text, level, at) VALUES (?, ?, ?, ?) RETURNING id',
      [n.userId, n.text, n.level, n.at],
    );
    await this.rows(
      'DELETE FROM notifications WHERE user_id = ? AND id <= (SELECT id FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
      [n.userId, n.userId, LIMITS.maxNotificationsPerUser],
    );
    return { ...n, id: Number(row!.id), read: false };
  }

  async notifications(userId: string, limit: number): Promise<Notification[]> {
    const rows = await this.rows('SELECT * FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT ?', [userId, limit]);
    return rows.map(toNotification);
  }

  async unreadCount(userId: string): Promise<number> {
    const [row] = await this.rows('SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND read = 0', [userId]);
    return Number(row!.n);
  }

  async markAllRead(userId: string): Promise<void> {
    await this.rows('UPDATE notifications SET read = 1 WHERE user_id = ? AND read = 0', [userId]);
  }

  async addMetric(p: MetricPoint): Promise<void> {
    await this.rows('INSERT INTO metrics (name, value, label, format, at) VALUES (?, ?, ?, ?, ?)', [p.name, p.value, p.label, p.format, p.at]);
  }

  async metricSeries(points: number): Promise<Map<string, MetricPoint[]>> {
    const rows = await this.rows(
      `SELECT name, value, label, format, at FROM (
         SELECT *, ROW_NUMBER() OVER (PARTITION BY name ORDER BY id DESC) AS rn FROM metrics
       ) WHERE rn <= ? ORDER BY name, at, rn DESC`,
      [points],
    );
    const series = new Map<string, MetricPoint[]>();
    for (const row of rows) {
      const name = String(row.name);
      const list = series.get(name) ?? [];
      list.push({ name, value: Number(row.value), label: row.label === null ? null : String(row.label), format: String(row.format) as MetricPoint['format'], at: Number(row.at) });
      series.set(name, list);
    }
    return series;
  }

}
