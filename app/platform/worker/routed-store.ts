import { DASHBOARD_TOPIC } from '../../realtime/metric-board.tsx';
import { userTopic } from '../../realtime/notifier.tsx';
import type { ChatMessage, MetricPoint, Notification, Store } from '../../ports/store.ts';
import { directoryObject, roomObject, topicObject, type WorkerEnv } from './env.ts';
import { callStore } from './object-calls.ts';

/**
 * The Worker's Store: every call goes to the object that owns the data (a room its history, a user
 * their name and notifications, a name index its users, the dashboard its metrics), so no request
 * depends on the isolate and no one object sees every request.
 */
export class RoutedStore implements Store {
  constructor(private readonly env: WorkerEnv) {}

  private room = (room: string) => roomObject(this.env, 'chat', room);
  private user = (userId: string) => topicObject(this.env, userTopic(userId));
  private dashboard = () => topicObject(this.env, DASHBOARD_TOPIC);
  private nameIndex = (name: string) => directoryObject(this.env, `name:${name.toLowerCase()}`);

  addMessage(message: Omit<ChatMessage, 'id'>): Promise<ChatMessage> {
    return callStore(this.room(message.room), 'addMessage', message);
  }
  recentMessages(room: string, limit: number): Promise<ChatMessage[]> {
    return callStore(this.room(room), 'recentMessages', room, limit);
  }
  messagesBefore(room: string, beforeId: number, limit: number): Promise<ChatMessage[]> {
    return callStore(this.room(room), 'messagesBefore', room, beforeId, limit);
  }
  messageIdBefore(room: string, id: number, depth: number): Promise<number | null> {
    return callStore(this.room(room), 'messageIdBefore', room, id, depth);
  }
  countMessagesSince(at: number): Promise<number> {
    return callStore(this.dashboard(), 'countMessagesSince', at);
  }

  /** A user's name lives in the user's own object (read on every request); `name:NAME` indexes it for @mentions. */
  async setUserName(userId: string, name: string): Promise<void> {
    const user = this.user(userId);
    const previous = await callStore(user, 'userName', userId);
    await this.nameIndex(name).addUser(userId);
    await callStore(user, 'setUserName', userId, name);
    if (previous !== null && previous.toLowerCase() !== name.toLowerCase()) await this.nameIndex(previous).removeUser(userId);
  }
  userName(userId: string): Promise<string | null> {
    return callStore(this.user(userId), 'userName', userId);
  }
  userIdsNamed(name: string): Promise<string[]> {
    return this.nameIndex(name).userIds();
  }
  /** Members are kept by the room's own object (it records each join in its storage). */
  addRoomMember(room: string, userId: string, at: number): Promise<void> {
    return callStore(this.room(room), 'addRoomMember', room, userId, at);
  }
  /** The name index gives the users called `name`; the room's object says which of them have been there. */
  async roomMembersNamed(room: string, name: string): Promise<string[]> {
    const named = await this.nameIndex(name).userIds();
    return named.length === 0 ? [] : this.room(room).roomMembersAmong(room, named);
  }

  addNotification(notification: Omit<Notification, 'id' | 'read'>): Promise<Notification> {
    return callStore(this.user(notification.userId), 'addNotification', notification);
  }
  notifications(userId: string, limit: number): Promise<Notification[]> {
    return callStore(this.user(userId), 'notifications', userId, limit);
  }
  unreadCount(userId: string): Promise<number> {
    return callStore(this.user(userId), 'unreadCount', userId);
  }
  markAllRead(userId: string): Promise<void> {
    return callStore(this.user(userId), 'markAllRead', userId);
  }

  addMetric(point: MetricPoint): Promise<void> {
    return callStore(this.dashboard(), 'addMetric', point);
  }
  metricSeries(points: number): Promise<Map<string, MetricPoint[]>> {
    return callStore(this.dashboard(), 'metricSeries', points);
  }

  async close(): Promise<void> {}
}
