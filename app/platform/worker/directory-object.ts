import { DurableObject } from 'cloudflare:workers';
import { DurableSqlStore } from '../../store/durable-sql.ts';
import type { WorkerEnv } from './env.ts';

/** Display names (one global index, so an @mention can find every user with a name) and the fallback session secret. */
export class DirectoryObject extends DurableObject<WorkerEnv> {
  private readonly store: DurableSqlStore;

  constructor(ctx: DurableObjectState, env: WorkerEnv) {
    super(ctx, env);
    this.store = new DurableSqlStore(ctx.storage);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
  }

  setUserName(userId: string, name: string): Promise<void> {
    return this.store.setUserName(userId, name);
  }

  userName(userId: string): Promise<string | null> {
    return this.store.userName(userId);
  }

  userIdsNamed(name: string): Promise<string[]> {
    return this.store.userIdsNamed(name);
  }

  /** Without a SESSION_SECRET, one generated once and kept here, as Node keeps it in data/ (SPEC §2). */
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
