/**
 * Token ids (`jti`) already exchanged for a session: a token that carries one is single-use.
 * Each id is remembered until its token expires (plus the clock skew), never longer.
 */
export interface UsedTokens {
  /** True when `jti` was not used before (and is now marked used); false for a replay. */
  claim(jti: string, expiresAt: number): Promise<boolean>;
}

/**
 * One process (Node, Deno without Redis): a bounded map. Expired ids are swept first; when it is
 * still full of live ids, a new token with a `jti` is refused rather than forgetting one that may be
 * replayed (`full` is then reported as not claimable).
 */
export class MemoryUsedTokens implements UsedTokens {
  private readonly used = new Map<string, number>();

  constructor(
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(jti: string, expiresAt: number): Promise<boolean> {
    const now = this.now();
    const known = this.used.get(jti);
    if (known !== undefined && known > now) return false;
    if (this.used.size >= this.capacity) this.sweep(now);
    if (this.used.size >= this.capacity) return false;
    this.used.set(jti, expiresAt);
    return true;
  }

  get size(): number {
    return this.used.size;
  }

  private sweep(now: number): void {
    for (const [jti, expiresAt] of this.used) if (expiresAt <= now) this.used.delete(jti);
  }
}
