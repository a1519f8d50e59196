import type { Platform } from '../ports/platform.ts';
import type { ChatMessage, Notification, NotificationLevel } from '../ports/store.ts';
import { Toast, UnreadCount } from '../../components/Notifications.tsx';
import { sseFragment } from './sse-fragment.tsx';
import { SerialQueue } from './serial.ts';
import { durableEvent, readEventName, type CatchUp, type OutgoingEvent, type TopicSource } from './sse-sources.ts';
import type { TopicEvent } from '../ports/hub.ts';

/** Each user's notifications travel on their own topic, so a stream never sees anyone else's. */
export const userTopic = (userId: string) => `user:${userId}`;

/** A `new-notification` update: the toast, and the delete of the toast that leaves the newest five. */
const toastUpdate = (notification: Notification, dropId: number | null) =>
  sseFragment('new-notification', () => <Toast notification={notification} dropId={null} />, dropId !== null ? <div id={`toast-${dropId}`} hx-swap-oob="delete"></div> : undefined);
const countUpdate = (count: number) => sseFragment('notification-count', () => <UnreadCount count={count} />);

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

/**
 * The per-recipient mention cap: at most `perMinute` mention notifications from one sender to one
 * recipient in a minute. At most `maxPairs` sender→recipient windows are tracked; past that, a new
 * pair is refused until old windows end (so a flood of identities cannot grow the map).
 */
export class MentionCap {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxPairs: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(sender: string, recipient: string): boolean {
    const now = this.now();
    const key = `${sender}>${recipient}`;
    let window = this.windows.get(key);
    if (window && now - window.start >= 60_000) {
      this.windows.delete(key);
      window = undefined;
    }
    if (!window) {
      if (this.windows.size >= this.maxPairs) this.sweep(now);
      if (this.windows.size >= this.maxPairs) return false;
      this.windows.set(key, (window = { start: now, count: 0 }));
    }
    if (window.count >= this.perMinute) return false;
    window.count++;
    return true;
  }

  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= 60_000) this.windows.delete(key);
  }
}

/** Stores notifications, then pushes a toast and the unread count to the user's open tabs. */
export class Notifier {
  private readonly queue = new SerialQueue();
  readonly mentionCap: MentionCap;

  constructor(private readonly platform: Pick<Platform, 'store' | 'hub' | 'config'>) {
    const { mentionsPerRecipientPerMinute, maxMentionPairs } = platform.config.limits;
    this.mentionCap = new MentionCap(mentionsPerRecipientPerMinute, maxMentionPairs);
  }

  notify(userIds: readonly string[], text: string, level: NotificationLevel): Promise<Notification[]> {
    return this.queue.run(async () => {
      const { store, hub, config } = this.platform;
      const sent: Notification[] = [];
      for (const userId of new Set(userIds)) {
        const notification = await store.addNotification({ userId, text, level, at: Date.now() });
        const recent = await store.notifications(userId, config.limits.maxToasts + 1);
        const dropId = recent[config.limits.maxToasts]?.id ?? null;
        await hub.publish(userTopic(userId), durableEvent('new-notification', notification.id), toastUpdate(notification, dropId));
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

  /**
   * Notifies the users called by an @name in a chat message who have been in that room (not its
   * author), each at most `mentionsPerRecipientPerMinute` times a minute from the same sender.
   * Anyone else who picks that name learns nothing (SPEC §6).
   */
  async mentions(
    message: ChatMessage,
    reachable: (userIds: string[]) => Promise<string[]> = async (ids) => ids,
    /** A private room's members are reached whether or not they have been in it yet (`reachable` keeps only them). */
    isPrivate: () => Promise<boolean> = async () => false,
  ): Promise<void> {
    const { store, config } = this.platform;
    const recipients = new Set<string>();
    const privateRoom = await isPrivate();
    for (const name of mentionedNames(message.text, config.limits.maxMentions)) {
      const named = privateRoom ? await store.userIdsNamed(name) : await store.roomMembersNamed(message.room, name);
      for (const userId of named) {
        if (userId !== message.userId && !recipients.has(userId) && this.mentionCap.take(message.userId, userId)) recipients.add(userId);
      }
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
  /** The user's notifications as an SSE topic (one small object per stream: it lives as long as the stream). */
  source(userId: string): TopicSource {
    return new NotificationSource(this.platform, userId);
  }

  private async publishCount(userId: string): Promise<void> {
    const count = await this.platform.store.unreadCount(userId);
    await this.platform.hub.publish(userTopic(userId), 'notification-count', countUpdate(count));
  }
}

/** A user's notifications as an SSE topic, resumed from the store: positions are durable row ids. */
class NotificationSource implements TopicSource {
  readonly key = 'user';
  readonly hubTopic: string;

  constructor(
    private readonly platform: Pick<Platform, 'store' | 'config'>,
    private readonly userId: string,
  ) {
    this.hubTopic = userTopic(userId);
  }

  async snapshot(): Promise<CatchUp> {
    const [newest] = await this.platform.store.notifications(this.userId, 1);
    const position = newest?.id ?? 0;
    return { position, events: [await this.count(position)] };
  }

  async replay(position: number): Promise<CatchUp | null> {
    const { maxToasts, sseRingSize } = this.platform.config.limits;
    const recent = await this.platform.store.notifications(this.userId, sseRingSize + maxToasts);
    if (position > (recent[0]?.id ?? 0)) return null;
    let missed = recent.slice(0, sseRingSize).filter((n) => n.id > position);
    // More than the ring missed: the newest few are all the DOM would keep anyway.
    if (missed.length === sseRingSize) missed = missed.slice(0, maxToasts);
    const events: OutgoingEvent[] = missed.reverse().map((notification) => {
      const dropId = recent[recent.indexOf(notification) + maxToasts]?.id ?? null;
      return { name: 'new-notification', fragment: toastUpdate(notification, dropId), position: notification.id };
    });
    events.push(await this.count(null));
    return { position: missed.at(-1)?.id ?? position, events };
  }

  live(event: TopicEvent): OutgoingEvent {
    const { name, durableId } = readEventName(event.event);
    return { name, fragment: event.fragment, position: durableId };
  }

  private async count(position: number | null): Promise<OutgoingEvent> {
    return { name: 'notification-count', fragment: countUpdate(await this.platform.store.unreadCount(this.userId)), position };
  }
}
