import type { UsedTokens } from '../ports/access.ts';

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
