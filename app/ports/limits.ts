/** What a socket asks before each message it accepts. */
export interface MessageLimiter {
  take(): boolean | Promise<boolean>;
}

/**
 * Hands each new socket its limiter (SPEC §6: per user, across all of that user's connections).
 * One process: `PerUserLimits`. Cluster mode: a bucket per user held in Redis, so a user's sockets
 * on every instance share one rate.
 */
export interface RateLimits {
  forConnection(userId: string): MessageLimiter;
}

/**
 * MAX_CONNECTIONS_PER_USER (SPEC §6): a user's open sockets and SSE streams together, counted
 * across all of their connections (and, in cluster mode, instances). A slot is taken before a
 * socket upgrades or a stream starts, and given back when it closes.
 */
export interface ConnectionSlot {
  /** Gives the slot back; calling it again does nothing. */
  release(): void;
}

export interface ConnectionLimits {
  /** Takes one of the user's slots; null when all `max` are taken. */
  acquire(userId: string): Promise<ConnectionSlot | null>;
  /** Users with at least one slot held (for tests and /metrics). */
  readonly users: number;
}

/** New identities per client address (SPEC §6: NEW_IDENTITIES_PER_MINUTE). */
export interface IdentityLimiter {
  /** Takes one new identity for `address`; false when the address is over its rate. */
  take(address: string): boolean | Promise<boolean>;
}
