import type { IdentityLimiter } from './ports/limits.ts';

export interface Bucket {
  tokens: number;
  at: number;
}

/**
 * IPv6 clients usually hold a whole /64, so an address counts by its first four groups
 * (what Cloudflare's rate limiting and most IPv6 limiters key on).
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Takes one token from `bucket` (refilled for the time since it was last used); false when empty. */
export function takeToken(bucket: Bucket, perMinute: number, now: number): boolean {
  bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * perMinute);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/**
 * New identities per client address (SPEC §6: NEW_IDENTITIES_PER_MINUTE): a token bucket per
 * address, `perMinute` at once and `perMinute` more each minute. The table is bounded: past
 * `maxAddresses` the address seen least recently is forgotten (its next request starts with a
 * full bucket), so a flood of addresses costs at most `maxAddresses` small entries.
 */
export class LocalIdentityLimiter implements IdentityLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly maxAddresses: number,
    private readonly now: () => number = Date.now,
  ) {}

  get trackedAddresses(): number {
    return this.buckets.size;
  }

  take(address: string): boolean {
    if (this.perMinute === 0) return true;
    const key = addressKey(address);
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    // Re-inserting keeps the Map in least-recently-seen order.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.maxAddresses) this.buckets.delete(this.buckets.keys().next().value!);
    return takeToken(bucket, this.perMinute, now);
  }
}
