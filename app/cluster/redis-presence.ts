import { ANY_TOPIC, type Presence, type PresenceChange, type PresenceEntry } from '../ports/presence.ts';
import { keys } from './keys.ts';
import type { RedisLink } from './link.ts';
import { COUNTS, HEARTBEAT, JOIN, LEAVE, LIST, REAP, REBUILD } from './presence-scripts.ts';

type LocalUsers = Map<string, { name: string; connections: number }>;

const byName = (a: PresenceEntry, b: PresenceEntry) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId);

function pairs(flat: unknown[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([String(flat[i]), String(flat[i + 1])]);
  return out;
}

/**
 * Presence across instances. Each instance keeps its own connections here (the source of truth
 * for its users) and mirrors them into Redis under its id; a liveness key with a TTL, refreshed
 * every third of it, lets the others drop the users of an instance that died without saying so.
 * While Redis is unreachable, joins and leaves are counted locally and the lists show local users;
 * on reconnection the instance rewrites its share and announces the topics that changed.
 */
export class RedisPresence implements Presence {
  readonly instanceId = crypto.randomUUID();
  private readonly local = new Map<string, LocalUsers>();
  private readonly watchers = new Map<string, Set<(cause: PresenceChange) => void>>();
  private readonly timer: NodeJS.Timeout;
  /** `link.losses` when this instance's share was last rewritten: Redis holds it since, unless that moved. */
  private rebuiltAfter = -1;

  constructor(
    private readonly link: RedisLink,
    private readonly ttlMs: number,
  ) {
    link.subscriber.on('message', (channel: string, topic: string) => {
      const cause = channel === keys.presenceReaped ? 'crash' : channel === keys.presenceChanged ? 'recovery' : undefined;
      if (cause) for (const watcher of this.watchers.get(topic) ?? []) watcher(cause);
    });
    link.onRecover(() => this.rebuild());
    this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  async join(topic: string, entry: PresenceEntry): Promise<boolean> {
    let users = this.local.get(topic);
    if (!users) this.local.set(topic, (users = new Map()));
    const current = users.get(entry.userId);
    users.set(entry.userId, { name: entry.name, connections: (current?.connections ?? 0) + 1 });
    if (current) return false;
    const elsewhere = await this.attempt(() =>
      JOIN.run(
        this.link.commands,
        [keys.presence(topic), keys.presenceTopics, keys.instanceTopicsPrefix + this.instanceId],
        [keys.instanceAlivePrefix, this.instanceId, entry.userId, entry.name, topic],
      ),
    );
    return elsewhere !== 1;
  }

  async leave(topic: string, userId: string): Promise<boolean> {
    const users = this.local.get(topic);
    const current = users?.get(userId);
    if (!users || !current) return false;
    if (current.connections > 1) {
      current.connections--;
      return false;
    }
    users.delete(userId);
    if (users.size === 0) this.local.delete(topic);
    const elsewhere = await this.attempt(() =>
      LEAVE.run(this.link.commands, [keys.presence(topic), keys.presenceTopics], [keys.instanceAlivePrefix, this.instanceId, userId, topic]),
    );
    return elsewhere !== 1;
  }

  /** This instance's entry for the user is rewritten; other instances rewrite their own. */
  async rename(topic: string, userId: string, name: string): Promise<void> {
    const current = this.local.get(topic)?.get(userId);
    if (!current) return;
    current.name = name;
    await this.attempt(() => this.link.commands.hset(keys.presence(topic), `${this.instanceId}|${userId}`, name));
  }

  async list(topic: string): Promise<PresenceEntry[]> {
    const flat = await this.attempt(() => LIST.run(this.link.commands, [keys.presence(topic)], [keys.instanceAlivePrefix]));
    if (Array.isArray(flat)) return pairs(flat).map(([userId, name]) => ({ userId, name })).sort(byName);
    return [...(this.local.get(topic) ?? [])].map(([userId, { name }]) => ({ userId, name })).sort(byName);
  }

  async count(topic: string): Promise<number> {
    return (await this.list(topic)).length;
  }

  async counts(): Promise<Map<string, number>> {
    const flat = await this.attempt(() => COUNTS.run(this.link.commands, [keys.presenceTopics], [keys.instanceAlivePrefix, keys.presencePrefix]));
    if (Array.isArray(flat)) return new Map(pairs(flat).map(([topic, n]) => [topic, Number(n)]));
    return new Map([...this.local].map(([topic, users]) => [topic, users.size]));
  }

  /** Runs `listener` when a topic's people changed without a join or leave here: a crash elsewhere, a recovery. */
  watch(topic: string, listener: (cause: PresenceChange) => void): () => void {
    let set = this.watchers.get(topic);
    if (!set) this.watchers.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(topic);
    };
  }

  /** On shutdown: this instance's users leave at once instead of when its key expires. */
  async retire(): Promise<void> {
    clearInterval(this.timer);
    this.local.clear();
    await this.attempt(async () => {
      await this.rebuild();
      await this.link.commands.del(keys.instanceAlivePrefix + this.instanceId);
      await this.link.commands.srem(keys.instances, this.instanceId);
    });
  }

  /**
   * Writes this instance's liveness key and its full share of presence, then announces what changed.
   * Subscribes first: instances reconnecting at the same moment each either hear the other's
   * announcement or rebuild after it was written (so their own lists already hold its users).
   */
  private async rebuild(): Promise<void> {
    const losses = this.link.losses;
    await this.link.subscriber.subscribe(keys.presenceChanged, keys.presenceReaped);
    await HEARTBEAT.run(this.link.commands, [keys.instanceAlivePrefix + this.instanceId, keys.instances], [this.instanceId, this.ttlMs]);
    const triples: string[] = [];
    for (const [topic, users] of this.local) for (const [userId, { name }] of users) triples.push(topic, userId, name);
    const changed = (await REBUILD.run(
      this.link.commands,
      [keys.instances, keys.presenceTopics],
      [this.instanceId, keys.instanceAlivePrefix, keys.instanceTopicsPrefix, keys.presencePrefix, ...triples],
    )) as string[];
    if (changed.length > 0) {
      const pipeline = this.link.commands.pipeline();
      for (const topic of changed) pipeline.publish(keys.presenceChanged, topic);
      await pipeline.exec();
    }
    this.rebuiltAfter = losses;
  }

  /** Refreshes liveness (rebuilding if this instance was given up for dead) and reaps dead instances. */
  private async tick(): Promise<void> {
    if (!this.link.reachable) return;
    await this.attempt(async () => {
      const existed = await HEARTBEAT.run(this.link.commands, [keys.instanceAlivePrefix + this.instanceId, keys.instances], [this.instanceId, this.ttlMs]);
      if (existed === 0) await this.rebuild();
      const reaped = (await REAP.run(
        this.link.commands,
        [keys.instances, keys.presenceTopics],
        [keys.instanceAlivePrefix, keys.instanceTopicsPrefix, keys.presencePrefix, keys.presenceReaped],
      )) as string[];
      if (reaped.length > 0) for (const watcher of this.watchers.get(ANY_TOPIC) ?? []) watcher('crash');
    });
  }

  /**
   * Redis holds this instance's share: reachable, or reconnected with the share already rewritten (the
   * recoveries after presence, such as rooms resending snapshots, then list everyone, not local users only).
   */
  private get current(): boolean {
    return this.link.reachable || (this.link.connected && this.rebuiltAfter === this.link.losses);
  }

  /** Redis errors never reach users from presence: the local share stands in until recovery rewrites it. */
  private async attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
    if (!this.current) return undefined;
    try {
      return await work();
    } catch {
      return undefined;
    }
  }
}
