/** The one schema of every SQL store (libSQL on Node/Deno, each Durable Object's SQLite on Workers). */

/** The tables of SqlMembership (a migration of the shared schema, and each room object's own). */
export const MEMBERSHIP_SCHEMA = `CREATE TABLE IF NOT EXISTS room_flags (room TEXT PRIMARY KEY, private INTEGER NOT NULL);
   CREATE TABLE IF NOT EXISTS room_members (
     room TEXT NOT NULL,
     user_id TEXT NOT NULL,
     removed INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (room, user_id)
   )`;

/** Each entry runs once, in order; each store records how far its database has come. */
export const MIGRATIONS = [
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
  // Private rooms and their members (SPEC §9).
  MEMBERSHIP_SCHEMA,
  // Issue 10: @mentions are an index lookup (a lower-cased name key), and reach only people who have
  // been in the room (a bounded participant list per room).
  `ALTER TABLE users ADD COLUMN name_key TEXT;
   UPDATE users SET name_key = lower(name);
   CREATE INDEX users_name_key ON users (name_key);
   CREATE TABLE room_participants (
     room TEXT NOT NULL,
     user_id TEXT NOT NULL,
     at INTEGER NOT NULL,
     PRIMARY KEY (room, user_id)
   );
   CREATE INDEX room_participants_room_at ON room_participants (room, at);`,
];
