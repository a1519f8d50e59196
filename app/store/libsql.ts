import { createClient, type Client, type InArgs, type Row } from '@libsql/client';
import type { ChatMessage, MetricPoint, Notification, NotificationLevel, Store } from './store.ts';

/** Each entry runs once, in order; `PRAGMA user_version` records how far a database has come. */
const MIGRATIONS = [
  `CREATE TABLE messages (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     room TEXT NOT NULL,
     user_id TEXT NOT NULL,
     name TEXT NOT NULL,
     text TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX messages_room_id ON messages (room, id);
   CREATE INDEX messages_at ON messages (at);
   CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL);
   CREATE INDEX users_name ON users (name);
   CREATE TABLE notifications (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     user_id TEXT NOT NULL,
     text TEXT NOT NULL,
     level TEXT NOT NULL,
     at INTEGER NOT NULL,
     read INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX notifications_user ON notifications (user_id, id);
   CREATE TABLE metrics (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL,
     value REAL NOT NULL,
     label TEXT,
     format TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX metrics_name_id ON metrics (name, id);`,
];

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

export class LibsqlStore implements Store {
  private constructor(private readonly db: Client) {}

  static async open(url: string): Promise<LibsqlStore> {
    if (url.startsWith('file:')) {
      const { mkdirSync } = await import('node:fs');
      const { dirname } = await import('node:path');
      mkdirSync(dirname(url.slice('file:'.length)), { recursive: true });
    }
    const db = createClient({ url });
    // WAL keeps readers off the writer's back; synchronous=FULL makes a commit survive kill -9 and power loss.
    if (url !== ':memory:') await db.execute('PRAGMA journal_mode = WAL');
    await db.execute('PRAGMA synchronous = FULL');
    await db.execute('PRAGMA busy_timeout = 5000');
    const store = new LibsqlStore(db);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    const version = Number((await this.db.execute('PRAGMA user_version')).rows[0]?.[0] ?? 0);
    for (let next = version; next < MIGRATIONS.length; next++) {
      await this.db.executeMultiple(`BEGIN; ${MIGRATIONS[next]}; PRAGMA user_version = ${next + 1}; COMMIT;`);
    }
  }

  private async rows(sql: string, args: InArgs = []): Promise<Row[]> {
    return (await this.db.execute({ sql, args })).rows;
  }

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
    await this.rows('INSERT INTO users (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [userId, name]);
  }

  async userName(userId: string): Promise<string | null> {
    const [row] = await this.rows('SELECT name FROM users WHERE id = ?', [userId]);
    return row ? String(row.name) : null;
  }

  async userIdsNamed(name: string): Promise<string[]> {
    return (await this.rows('SELECT id FROM users WHERE name = ? COLLATE NOCASE', [name])).map((row) => String(row.id));
  }

  async addNotification(n: Omit<Notification, 'id' | 'read'>): Promise<Notification> {
    const [row] = await this.rows(
      'INSERT INTO notifications (user_id, text, level, at) VALUES (?, ?, ?, ?) RETURNING id',
      [n.userId, n.text, n.level, n.at],
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

  async close(): Promise<void> {
    this.db.close();
  }
}
