import { LocalConnectionLimits } from '../realtime/connection-limits.ts';
import type { ConnectionLimits, ConnectionSlot } from '../ports/limits.ts';
import { keys } from './keys.ts';
import type { RedisLink } from './link.ts';
import { LuaScript } from './lua.ts';

/**
 * Takes a slot when the user's open connections on live instances are under ARGV[3]. The hash
 * KEYS[1] holds one count per instance; counts of instances whose liveness key is gone (a crash)
 * are dropped, so a dead instance never holds anyone's slots.
 */
const ACQUIRE = new LuaScript(
  `local fields = redis.call('HGETALL', KEYS[1])
   local total = 0
   for i = 1, #fields, 2 do
     if fields[i] ~= ARGV[2] and redis.call('EXISTS', ARGV[1] .. fields[i]) == 0 then
       redis.call('HDEL', KEYS[1], fields[i])
     else
       total = total + tonumber(fields[i + 1])
     end
   end
   if total >= tonumber(ARGV[3]) then return 0 end
   redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
   redis.call('EXPIRE', KEYS[1], ARGV[4])
   return 1`,
  1,
);

const RELEASE = new LuaScript(
  `if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end`,
  1,
);

/**
 * MAX_CONNECTIONS_PER_USER across every instance (SPEC §6). While Redis is unreachable each
 * instance falls back to counting its own connections (a person can then hold the cap once per
 * instance until Redis returns).
 */
export class RedisConnectionLimits implements ConnectionLimits {
  private readonly local: LocalConnectionLimits;

  constructor(
    private readonly link: RedisLink,
    private readonly instanceId: string,
    private readonly max: number,
    /** The per-user hash expires this long after its last change (a crashed instance's counts go with it). */
    private readonly ttlSeconds: number,
  ) {
    this.local = new LocalConnectionLimits(max);
  }

  async acquire(userId: string): Promise<ConnectionSlot | null> {
    const local = await this.local.acquire(userId);
    if (!local) return null;
    if (!this.link.reachable) return local;
    let taken: unknown;
    try {
      taken = await ACQUIRE.run(this.link.commands, [keys.connections(userId)], [keys.instanceAlivePrefix, this.instanceId, this.max, this.ttlSeconds]);
    } catch {
      return local;
    }
    if (taken !== 1) {
      local.release();
      return null;
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        local.release();
        RELEASE.run(this.link.commands, [keys.connections(userId)], [this.instanceId]).catch(() => {});
      },
    };
  }

  get users(): number {
    return this.local.users;
  }
}
