import type { Presence, PresenceEntry } from '../ports/presence.ts';

/** One process's presence: connections per user per topic, in memory. */
export class LocalPresence implements Presence {
  private readonly topics = new Map<string, Map<string, { name: string; connections: number }>>();

  async join(topic: string, entry: PresenceEntry): Promise<boolean> {
    let users = this.topics.get(topic);
    if (!users) this.topics.set(topic, (users = new Map()));
    const current = users.get(entry.userId);
    users.set(entry.userId, { name: entry.name, connections: (current?.connections ?? 0) + 1 });
    return current === undefined;
  }

  async leave(topic: string, userId: string): Promise<boolean> {
    const users = this.topics.get(topic);
    const current = users?.get(userId);
    if (!users || !current) return false;
    if (current.connections > 1) {
      current.connections--;
      return false;
    }
    users.delete(userId);
    if (users.size === 0) this.topics.delete(topic);
    return true;
  }

  async rename(topic: string, userId: string, name: string): Promise<void> {
    const current = this.topics.get(topic)?.get(userId);
    if (current) current.name = name;
  }

  async list(topic: string): Promise<PresenceEntry[]> {
    const users = this.topics.get(topic);
    if (!users) return [];
    return [...users].map(([userId, { name }]) => ({ userId, name }));
  }

  async count(topic: string): Promise<number> {
    return this.topics.get(topic)?.size ?? 0;
  }

  async counts(): Promise<Map<string, number>> {
    return new Map([...this.topics].map(([topic, users]) => [topic, users.size]));
  }

  /** Only this process joins and leaves here: nothing else changes who is present. */
  watch(): () => void {
    return () => {};
  }
}
