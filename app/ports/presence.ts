/** Who is connected to each room or lobby: one entry per user, however many tabs they have open. */
export interface PresenceEntry {
  userId: string;
  name: string;
}

/** Why people changed without a join or leave here: an instance died, or presence was rewritten after an outage. */
export type PresenceChange = 'crash' | 'recovery';

/** The `watch` topic that stands for all of them. */
export const ANY_TOPIC = '*';

export interface Presence extends PresenceReads {
  /** Records one more connection; true when the user was not present before. */
  join(topic: string, entry: PresenceEntry): Promise<boolean>;
  /** Records one connection fewer; true when it was the user's last. */
  leave(topic: string, userId: string): Promise<boolean>;
  /** A present user took a new display name (SPEC §3); their connections stay as they are. */
  rename(topic: string, userId: string, name: string): Promise<void>;
}

/** What routes and boards read of presence (who is online where); only rooms and streams write it. */
export interface PresenceReads {
  list(topic: string): Promise<PresenceEntry[]>;
  /** How many users are in one topic. */
  count(topic: string): Promise<number>;
  /** Online user counts of every topic with anyone in it. */
  counts(): Promise<Map<string, number>>;
  /**
   * Runs `listener` when a topic's people change other than through this process's own join and
   * leave calls (cluster mode: an instance crashed, or presence was rebuilt after an outage).
   * `ANY_TOPIC` listeners run once per crash, on the one instance that cleaned it up. Where only
   * this process writes presence (one process, one Durable Object) it never runs.
   */
  watch(topic: string, listener: (cause: PresenceChange) => void): () => void;
}
