import { RateLimiter } from '../realtime/rate-limit.ts';
import type { MessageLimiter, RateLimits } from '../ports/limits.ts';
import { keys } from './keys.ts';
import type { RedisLink } from './link.ts';
import { LuaScript } from './lua.ts';

/** The same token bucket as RateLimiter, kept in a Redis hash and timed by the Redis clock. */
const TAKE = new LuaScript(
  `local t = redis.call('TIME')
   local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
   local burst, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
   local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
   local tokens = tonumber(state[1]) or burst
   local at = tonumber(state[2]) or now
   tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
   local ok = 0
   if tokens >= 1 then tokens = tokens - 1; ok = 1 end
   redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
   redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
   return ok`,
  1,
);

/** Per-user limits across instances; while Redis is unreachable each socket falls back to its own bucket. */
export class RedisRateLimits implements RateLimits {
  constructor(
    private readonly link: RedisLink,
    private readonly burst: number,
    private readonly perSecond: number,
  ) {}

  forConnection(userId: string): MessageLimiter {
    const fallback = new RateLimiter(this.burst, this.perSecond);
    return {
      take: async () => {
        if (!this.link.reachable) return fallback.take();
        try {
          return (await TAKE.run(this.link.commands, [keys.rate(userId)], [this.burst, this.perSecond])) === 1;
        } catch {
          return fallback.take();
        }
      },
    };
  }
}
