import { DurableObject } from 'cloudflare:workers';
import { workerConfig, type WorkerEnv } from './env.ts';
import { takeToken, type Bucket } from '../../identity-limit.ts';
import { STAT_NAMES, type StatDeltas } from './reported-stats.ts';
import type { Stats } from '../../realtime/stats.ts';

/**
 * `name:NAME` objects index display names (lower-cased), so an @mention finds every user with a
 * name without one object seeing every request; `directory` keeps the fallback session secret;
 * `mint:ADDRESS` counts the new identities of one client address; `stats` adds up the counters
 * and gauges every Worker request and room object reports, for /metrics.
 */
export class DirectoryObject extends DurableObject<WorkerEnv> {
  private identities: Bucket | undefined;

  constructor(ctx: DurableObjectState, env: WorkerEnv) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS named (user_id TEXT PRIMARY KEY)');
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS used_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)');
  }

  /**
   * `tokens`: marks a host token's `jti` used until `expiresAt`; false for a replay. Expired ids are
   * dropped first; past the bound a new id is refused rather than an unexpired one forgotten.
   */
  claimToken(jti: string, expiresAt: number): boolean {
    const { sql } = this.ctx.storage;
    const now = Date.now();
    sql.exec('DELETE FROM used_tokens WHERE expires_at <= ?', now);
    if (sql.exec('SELECT 1 FROM used_tokens WHERE jti = ?', jti).toArray().length > 0) return false;
    const count = Number(sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM used_tokens').toArray()[0]?.n ?? 0);
    if (count >= workerConfig(this.env).limits.maxUsedTokenIds) return false;
    sql.exec('INSERT INTO used_tokens (jti, expires_at) VALUES (?, ?)', jti, expiresAt);
    return true;
  }

  /** `mint:ADDRESS`: one new identity from this client address, if its bucket allows (SPEC §6). */
  takeIdentity(perMinute: number): boolean {
    // In memory: an evicted object (idle for a while) starts with a full bucket, which it would have anyway.
    this.identities ??= { tokens: perMinute, at: Date.now() };
    return takeToken(this.identities, perMinute, Date.now());
  }

  /** `name:NAME`: the users who go by this name, whatever its case. */
  addUser(userId: string): void {
    this.ctx.storage.sql.exec('INSERT OR IGNORE INTO named (user_id) VALUES (?)', userId);
  }

  removeUser(userId: string): void {
    this.ctx.storage.sql.exec('DELETE FROM named WHERE user_id = ?', userId);
  }

  userIds(): string[] {
    return this.ctx.storage.sql
      .exec<{ user_id: string }>('SELECT user_id FROM named')
      .toArray()
      .map((row) => row.user_id);
  }

  /** `stats`: changes of counters and gauges, as one request or object saw them; kept in storage, so they outlive eviction. */
  addStats(deltas: StatDeltas): void {
    const { sql } = this.ctx.storage;
    sql.exec('CREATE TABLE IF NOT EXISTS stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL)');
    for (const name of STAT_NAMES) {
      const delta = deltas[name];
      if (typeof delta !== 'number' || !Number.isSafeInteger(delta) || delta === 0) continue;
      sql.exec('INSERT INTO stats (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value', name, delta);
    }
  }

  /** `stats`: the sums so far. */
  stats(): Partial<Stats> {
    const { sql } = this.ctx.storage;
    sql.exec('CREATE TABLE IF NOT EXISTS stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL)');
    const totals: Partial<Stats> = {};
    for (const row of sql.exec<{ name: string; value: number }>('SELECT name, value FROM stats').toArray()) {
      if ((STAT_NAMES as string[]).includes(row.name)) totals[row.name as keyof Stats] = row.value;
    }
    return totals;
  }

  /** `directory`: without a SESSION_SECRET, one generated once and kept here, as Node keeps it in data/ (SPEC §2). */
  sessionSecret(): string {
    const { sql } = this.ctx.storage;
    const row = sql.exec<{ value: string }>("SELECT value FROM secrets WHERE name = 'session'").toArray()[0];
    if (row) return row.value;
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const secret = btoa(String.fromCharCode(...bytes));
    sql.exec("INSERT INTO secrets (name, value) VALUES ('session', ?)", secret);
    console.warn('SESSION_SECRET is not set: generated one into the directory object. Set it with `wrangler secret put SESSION_SECRET`.');
    return secret;
  }
}

declare module './env.ts' {
  interface DurableObjects {
    DIRECTORY: DirectoryObject;
  }
}
