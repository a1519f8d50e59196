import type { MatchCoordinator, MatchLease, MatchSignal } from '../ports/match.ts';
import { keys } from './keys.ts';
import type { RedisLink } from './link.ts';
import { LuaScript } from './lua.ts';

/** Extends the lease only for its holder. */
const RENEW = new LuaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`, 1);
const RELEASE = new LuaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1);

/**
 * Cluster mode (SPEC §4.3.1): a lobby's match clock runs on the instance holding its lease in Redis
 * (`SET NX PX`), renewed every third of `leaseMs`. An instance that dies stops renewing; within
 * about `leaseMs` another instance with players in the lobby takes the lease and carries the match on
 * from its recorded round. Presses and lobby changes reach the holder over one pub/sub channel per
 * lobby, and the holder stamps them as it receives them.
 */
export class RedisMatchCoordinator implements MatchCoordinator {
  private readonly listeners = new Map<string, Set<(signal: MatchSignal) => void>>();
  readonly takeoverMs: number;

  constructor(
    private readonly link: RedisLink,
    private readonly leaseMs: number,
  ) {
    this.takeoverMs = Math.max(50, Math.round(leaseMs / 2));
    link.subscriber.on('message', (channel: string, message: string) => this.receive(channel, message));
    link.onRecover(async () => {
      for (const lobby of this.listeners.keys()) await link.subscriber.subscribe(keys.matchChannel(lobby));
    });
  }

  async claim(lobby: string): Promise<MatchLease | null> {
    const key = keys.matchLease(lobby);
    const token = crypto.randomUUID();
    if ((await this.link.commands.set(key, token, 'PX', this.leaseMs, 'NX')) !== 'OK') return null;
    const lost = new AbortController();
    const renew = setInterval(() => {
      RENEW.run(this.link.commands, [key], [token, this.leaseMs])
        .then((kept) => {
          if (Number(kept) !== 1) stop();
        })
        // Redis away: the lease runs out on its own; stop before another instance takes over.
        .catch(() => stop());
    }, Math.max(20, Math.floor(this.leaseMs / 3)));
    (renew as { unref?: () => void }).unref?.();
    const stop = () => {
      clearInterval(renew);
      lost.abort();
    };
    return {
      lost: lost.signal,
      release: async () => {
        clearInterval(renew);
        await RELEASE.run(this.link.commands, [key], [token]);
      },
    };
  }

  async signal(lobby: string, signal: MatchSignal): Promise<void> {
    await this.link.commands.publish(keys.matchChannel(lobby), JSON.stringify(signal));
  }

  listen(lobby: string, listener: (signal: MatchSignal) => void): () => void {
    let set = this.listeners.get(lobby);
    if (!set) {
      this.listeners.set(lobby, (set = new Set()));
      if (this.link.reachable) this.link.subscriber.subscribe(keys.matchChannel(lobby)).catch(() => {});
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size > 0 || this.listeners.get(lobby) !== set) return;
      this.listeners.delete(lobby);
      if (this.link.reachable) this.link.subscriber.unsubscribe(keys.matchChannel(lobby)).catch(() => {});
    };
  }

  private receive(channel: string, message: string): void {
    if (!channel.startsWith(keys.matchChannelPrefix)) return;
    const set = this.listeners.get(channel.slice(keys.matchChannelPrefix.length));
    if (!set) return;
    let signal: MatchSignal;
    try {
      signal = JSON.parse(message) as MatchSignal;
    } catch {
      return;
    }
    for (const listener of set) listener(signal);
  }
}
