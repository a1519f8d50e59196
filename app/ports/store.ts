/** The storage interface every runtime implements: libSQL on Node/Deno, Durable Object SQLite on Workers. */

export interface ChatMessage {
  id: number;
  room: string;
  userId: string;
  name: string;
  text: string;
  /** Epoch milliseconds. */
  at: number;
}

export type NotificationLevel = 'info' | 'success' | 'warning' | 'error';

export interface Notification {
  id: number;
  userId: string;
  text: string;
  level: NotificationLevel;
  at: number;
  read: boolean;
}

export interface MetricPoint {
  name: string;
  value: number;
  label: string | null;
  format: 'integer' | 'currency' | 'percent';
  at: number;
}

export interface Store {
  addMessage(message: Omit<ChatMessage, 'id'>): Promise<ChatMessage>;
  /** The newest `limit` messages, oldest first. */
  recentMessages(room: string, limit: number): Promise<ChatMessage[]>;
  /** Up to `limit` messages older than `beforeId`, oldest first. */
  messagesBefore(room: string, beforeId: number, limit: number): Promise<ChatMessage[]>;
  /** The id of the message that sits `depth` places before `id` in its room, if any. */
  messageIdBefore(room: string, id: number, depth: number): Promise<number | null>;
  countMessagesSince(at: number): Promise<number>;

  setUserName(userId: string, name: string): Promise<void>;
  userName(userId: string): Promise<string | null>;
  userIdsNamed(name: string): Promise<string[]>;
  /** Records that the user has been in the chat room (the newest `maxRoomParticipants` per room are kept). */
  addRoomMember(room: string, userId: string, at: number): Promise<void>;
  /** The users called `name` (case-insensitive) who have been in the room: whom `@name` there reaches. */
  roomMembersNamed(room: string, name: string): Promise<string[]>;

  /** Stores a notification; only the user's newest `maxNotificationsPerUser` are kept. */
  addNotification(notification: Omit<Notification, 'id' | 'read'>): Promise<Notification>;
  notifications(userId: string, limit: number): Promise<Notification[]>;
  unreadCount(userId: string): Promise<number>;
  markAllRead(userId: string): Promise<void>;

  addMetric(point: MetricPoint): Promise<void>;
  /** Per metric name, its newest `points` values, oldest first. */
  metricSeries(points: number): Promise<Map<string, MetricPoint[]>>;

  close(): Promise<void>;
}
