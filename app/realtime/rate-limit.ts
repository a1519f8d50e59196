import type { MessageLimiter, RateLimits } from '../ports/limits.ts';

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

  /** True once the bucket has refilled completely: it is then the same as a new one and can be forgotten. */
  isFull(): boolean {
    return this.tokens + ((this.now() - this.updated) / 1000) * this.perSecond >= this.burst;
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


/**
 * One bucket per user in this process, shared by all of their sockets. A bucket that has refilled
 * is dropped (it equals a fresh one), so the map only holds users who sent within the last
 * `burst / perSecond` seconds.
 */
export class PerUserLimits implements RateLimits {
  private readonly buckets = new Map<string, RateLimiter>();
  private takes = 0;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  forConnection(userId: string): MessageLimiter {
    return { take: () => this.take(userId) };
  }

  get size(): number {
    return this.buckets.size;
  }

  private take(userId: string): boolean {
    if (++this.takes % 1024 === 0) this.sweep();
    let bucket = this.buckets.get(userId);
    if (!bucket) this.buckets.set(userId, (bucket = new RateLimiter(this.burst, this.perSecond, this.now)));
    return bucket.take();
  }

  private sweep(): void {
    for (const [userId, bucket] of this.buckets) if (bucket.isFull()) this.buckets.delete(userId);
  }
}

const shared = new WeakMap<object, RateLimits>();
/** The per-user limits of one platform (one process, or one Durable Object), made on first use. */
export function perUserLimits(owner: object, burst: number, perSecond: number): RateLimits {
  let limits = shared.get(owner);
  if (!limits) shared.set(owner, (limits = new PerUserLimits(burst, perSecond)));
  return limits;
}
