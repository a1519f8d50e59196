import type { RedisLink } from './link.ts';
import { LuaScript } from './lua.ts';

/** Deletes the lock only if this holder still owns it (its lease may have run out and passed on). */
const RELEASE = new LuaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A short lease-based lock across instances. Chat rooms hold it from storing a message to
 * publishing it, so message ids and delivery order agree on every instance. The lease bounds
 * how long a crashed holder can block a room.
 */
export class RedisMutex {
  constructor(
    private readonly link: RedisLink,
    private readonly leaseMs: number,
    private readonly waitMs: number,
  ) {}

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const key = `sb:lock:${name}`;
    const token = crypto.randomUUID();
    const deadline = Date.now() + this.waitMs;
    for (let delay = 1; (await this.link.commands.set(key, token, 'PX', this.leaseMs, 'NX')) !== 'OK'; delay = Math.min(delay * 2, 20)) {
      if (Date.now() > deadline) throw new Error(`${name} stayed locked for ${this.waitMs} ms`);
      await sleep(delay);
    }
    try {
      return await work();
    } finally {
      await RELEASE.run(this.link.commands, [key], [token]).catch(() => {});
    }
  }
}
