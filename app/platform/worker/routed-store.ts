import { DASHBOARD_TOPIC } from '../../realtime/metric-board.tsx';
import { userTopic } from '../../realtime/notifier.tsx';
import type { ChatMessage, MetricPoint, Notification, Store } from '../../store/store.ts';
import { directoryObject, roomObject, topicObject, type WorkerEnv } from './env.ts';

/**
 * The Worker's Store: every call goes to the object that owns the data (a room its history, the
 * directory the names, a topic its notifications or metrics), so no request depends on the isolate.
 */
export class RoutedStore implements Store {
  constructor(private readonly env: WorkerEnv) {}

  private room = (room: string) => roomObject(this.env, 'chat', room);
  private user = (userId: string) => topicObject(this.env, userTopic(userId));
  private dashboard = () => topicObject(this.env, DASHBOARD_TOPIC);

  addMessage(message: Omit<ChatMessage, 'id'>): Promise<ChatMessage> {
    return this.room(message.room).addMessage(message);
  }
  recentMessages(room: string, limit: number): Promise<ChatMessage[]> {
    return this.room(room).recentMessages(room, limit);
  }
  messagesBefore(room: string, beforeId: number, limit: number): Promise<ChatMessage[]> {
    return this.room(room).messagesBefore(room, beforeId, limit);
  }
  messageIdBefore(room: string, id: number, depth: number): Promise<number | null> {
    return this.room(room).messageIdBefore(room, id, depth);
  }
  countMessagesSince(at: number): Promise<number> {
    return this.dashboard().countMessagesSince(at);
  }

  setUserName(userId: string, name: string): Promise<void> {
    return directoryObject(this.env).setUserName(userId, name);
  }
  userName(userId: string): Promise<string | null> {
    return directoryObject(this.env).userName(userId);
  }
  userIdsNamed(name: string): Promise<string[]> {
    return directoryObject(this.env).userIdsNamed(name);
  }

  addNotification(notification: Omit<Notification, 'id' | 'read'>): Promise<Notification> {
    return this.user(notification.userId).addNotification(notification);
  }
  notifications(userId: string, limit: number): Promise<Notification[]> {
    return this.user(userId).notifications(userId, limit);
  }
  unreadCount(userId: string): Promise<number> {
    return this.user(userId).unreadCount(userId);
  }
  markAllRead(userId: string): Promise<void> {
    return this.user(userId).markAllRead(userId);
  }

  addMetric(point: MetricPoint): Promise<void> {
    return this.dashboard().addMetric(point);
  }
  metricSeries(points: number): Promise<Map<string, MetricPoint[]>> {
    return this.dashboard().metricSeries(points);
  }

  async close(): Promise<void> {}
}
