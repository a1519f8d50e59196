/** Token bucket: `burst` messages at once, then `perSecond` more each second. */
export class RateLimiter {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updated = now();
  }

  /** Takes one token; false when the caller is over its rate. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updated) / 1000) * this.perSecond);
    this.updated = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** What a socket asks before each message it accepts. */
export interface MessageLimiter {
  take(): boolean | Promise<boolean>;
}

/**
 * Hands each new socket its limiter. One process: a bucket per connection (SPEC §6). Cluster
 * mode: a bucket per user held in Redis, so a user's sockets on every instance share one rate.
 */
export interface RateLimits {
  forConnection(userId: string): MessageLimiter;
}

export function perConnectionLimits(burst: number, perSecond: number): RateLimits {
  return { forConnection: () => new RateLimiter(burst, perSecond) };
}
