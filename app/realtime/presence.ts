/** Who is connected to each room or lobby: one entry per user, however many tabs they have open. */
export interface PresenceEntry {
  userId: string;
  name: string;
}

/** Why people changed without a join or leave here: an instance died, or presence was rewritten after an outage. */
export type PresenceChange = 'crash' | 'recovery';

/** The `watch` topic that stands for all of them. */
export const ANY_TOPIC = '*';

export interface Presence {
  /** Records one more connection; true when the user was not present before. */
  join(topic: string, entry: PresenceEntry): Promise<boolean>;
  /** Records one connection fewer; true when it was the user's last. */
  leave(topic: string, userId: string): Promise<boolean>;
  list(topic: string): Promise<PresenceEntry[]>;
  /** How many users are in one topic, where that is cheaper than `list` (unset: the length of `list`). */
  count?(topic: string): Promise<number>;
  /** A present user took a new display name (SPEC §3); their connections stay as they are. */
  rename(topic: string, userId: string, name: string): Promise<void>;
  /** Online user counts of every topic with anyone in it. */
  counts(): Promise<Map<string, number>>;
  /**
   * Runs `listener` when a topic's people change other than through this process's own join and
   * leave calls (cluster mode: an instance crashed, or presence was rebuilt after an outage).
   * `ANY_TOPIC` listeners run once per crash, on the one instance that cleaned it up.
   */
  watch?(topic: string, listener: (cause: PresenceChange) => void): () => void;
}

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
}
