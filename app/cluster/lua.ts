import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

type Arg = string | number;

/**
 * A Lua script run with EVALSHA, falling back to EVAL once after Redis forgot it (a restart
 * empties the script cache). Scripts run atomically, which is why every multi-step write is one.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(
    private readonly source: string,
    private readonly keyCount: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly Arg[] = []): Promise<unknown> {
    if (keys.length !== this.keyCount) throw new Error(`script expects ${this.keyCount} keys, got ${keys.length}`);
    try {
      return await redis.evalsha(this.sha, this.keyCount, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, this.keyCount, ...keys, ...args);
    }
  }
}
