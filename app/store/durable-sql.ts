import { MIGRATIONS } from './schema.ts';
import { SqlStore, type Row, type SqlArgs } from './sql-store.ts';

/** The part of a Durable Object's `ctx.storage` this store uses (synchronous SQLite). */
export interface DurableStorage {
  sql: { exec(query: string, ...bindings: unknown[]): { toArray(): Row[] } };
  transactionSync<T>(closure: () => T): T;
}

/**
 * The Workers store: one Durable Object's own SQLite, same schema and queries as libSQL. Each object
 * only fills its own slice (a room its messages, the directory its users, a topic its events).
 */
export class DurableSqlStore extends SqlStore {
  constructor(private readonly storage: DurableStorage) {
    super();
    this.migrate();
  }

  /** `PRAGMA user_version` is not allowed in a Durable Object: the version lives in a table. */
  private migrate(): void {
    const { sql } = this.storage;
    sql.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const version = Number(sql.exec('SELECT MAX(version) AS v FROM schema_version').toArray()[0]?.v ?? 0);
    for (let next = version; next < MIGRATIONS.length; next++) {
      this.storage.transactionSync(() => {
        sql.exec(MIGRATIONS[next]!);
        sql.exec('INSERT INTO schema_version (version) VALUES (?)', next + 1);
      });
    }
  }

  protected async rows(query: string, args: SqlArgs = []): Promise<Row[]> {
    return this.storage.sql.exec(query, ...args).toArray();
  }

  /** The object's storage closes with the object. */
  async close(): Promise<void> {}
}
