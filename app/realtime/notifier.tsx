import type { Platform } from '../platform/platform.ts';
import type { ChatMessage, Notification, NotificationLevel } from '../store/store.ts';
import { render } from '../../components/render.ts';
import { Toast, UnreadCount } from '../../components/Notifications.tsx';
import { Fragment } from './fragment.ts';
import { SerialQueue } from './serial.ts';
import { durableEvent, readEventName, type OutgoingEvent, type TopicSource } from './sse-sources.ts';

/** Each user's notifications travel on their own topic, so a stream never sees anyone else's. */
export const userTopic = (userId: string) => `user:${userId}`;

const MENTION = /(?:^|[^\w@])@([^\s@]{1,64})/g;

/** The distinct `@name`s of a message, trailing punctuation removed, at most `max`. */
export function mentionedNames(text: string, max: number): string[] {
  const names = new Map<string, string>();
  for (const match of text.matchAll(MENTION)) {
    const name = match[1]!.replace(/[.,!?;:)\]}'"]+$/, '');
    if (name && !names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
    if (names.size >= max) break;
  }
  return [...names.values()];
}

/** Stores notifications, then pushes a toast and the unread count to the user's open tabs. */
export class Notifier {
  private readonly queue = new SerialQueue();

  constructor(private readonly platform: Platform) {}

  notify(userIds: readonly string[], text: string, level: NotificationLevel): Promise<Notification[]> {
    return this.queue.run(async () => {
      const { store, hub, config } = this.platform;
      const sent: Notification[] = [];
      for (const userId of new Set(userIds)) {
        const notification = await store.addNotification({ userId, text, level, at: Date.now() });
        const recent = await store.notifications(userId, config.limits.maxToasts + 1);
        const dropId = recent[config.limits.maxToasts]?.id ?? null;
        const toast = render(<Toast notification={notification} dropId={dropId} />);
        await hub.publish(userTopic(userId), durableEvent('new-notification', notification.id), toast);
        await this.publishCount(userId);
        sent.push(notification);
      }
      return sent;
    });
  }

  /** Marks everything read; every open tab of the user gets a count of 0. */
  markAllRead(userId: string): Promise<void> {
    return this.queue.run(async () => {
      await this.platform.store.markAllRead(userId);
      await this.publishCount(userId);
    });
  }

  /** Notifies every user whose display name is @mentioned in a chat message (not its author). */
  async mentions(message: ChatMessage, reachable: (userIds: string[]) => Promise<string[]> = async (ids) => ids): Promise<void> {
    const { store, config } = this.platform;
    const recipients = new Set<string>();
    for (const name of mentionedNames(message.text, config.limits.maxMentions)) {
      for (const userId of await store.userIdsNamed(name)) if (userId !== message.userId) recipients.add(userId);
    }
    if (recipients.size === 0) return;
    const allowed = await reachable([...recipients]);
    if (allowed.length === 0) return;
    await this.notify(allowed, `${message.name} mentioned you in #${message.room}: ${message.text}`, 'info');
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }

  /** The user's notifications as an SSE topic, resumed from the store: ids are durable row ids. */
  source(userId: string): TopicSource {
    const { store, config } = this.platform;
    const { maxToasts, sseRingSize } = config.limits;
    const count = async (position: number | null): Promise<OutgoingEvent> => ({
      name: 'notification-count',
      fragment: new Fragment(render(<UnreadCount count={await store.unreadCount(userId)} />)),
      position,
    });
    return {
      key: 'user',
      hubTopic: userTopic(userId),
      async snapshot() {
        const [newest] = await store.notifications(userId, 1);
        const position = newest?.id ?? 0;
        return { position, events: [await count(position)] };
      },
      async replay(position) {
        const recent = await store.notifications(userId, sseRingSize + maxToasts);
        if (position > (recent[0]?.id ?? 0)) return null;
        let missed = recent.slice(0, sseRingSize).filter((n) => n.id > position);
        // More than the ring missed: the newest few are all the DOM would keep anyway.
        if (missed.length === sseRingSize) missed = missed.slice(0, maxToasts);
        const events: OutgoingEvent[] = missed.reverse().map((notification) => {
          const dropId = recent[recent.indexOf(notification) + maxToasts]?.id ?? null;
          return { name: 'new-notification', fragment: new Fragment(render(<Toast notification={notification} dropId={dropId} />)), position: notification.id };
        });
        events.push(await count(null));
        return { position: missed.at(-1)?.id ?? position, events };
      },
      live(event) {
        const { name, durableId } = readEventName(event.event);
        return { name, fragment: event.fragment, position: durableId };
      },
    };
  }

  private async publishCount(userId: string): Promise<void> {
    const count = await this.platform.store.unreadCount(userId);
    await this.platform.hub.publish(userTopic(userId), 'notification-count', render(<UnreadCount count={count} />));
  }
}
