import { createClient, type Client, type InArgs } from '@libsql/client';
import { MIGRATIONS } from './schema.ts';
import { SqlStore, type Row, type SqlArgs } from './sql-store.ts';

/** The Node/Deno store: a libSQL file (or `:memory:`), migrated with `PRAGMA user_version`. */
export class LibsqlStore extends SqlStore {
  private constructor(private readonly db: Client) {
    super();
  }

  static async open(url: string): Promise<LibsqlStore> {
    if (url.startsWith('file:')) {
      const { mkdirSync } = await import('node:fs');
      const { dirname } = await import('node:path');
      mkdirSync(dirname(url.slice('file:'.length)), { recursive: true });
    }
    const db = createClient({ url });
    // WAL keeps readers off the writer's back; synchronous=FULL makes a commit survive kill -9 and power loss.
    if (url !== ':memory:') await db.execute('PRAGMA journal_mode = WAL');
    await db.execute('PRAGMA synchronous = FULL');
    await db.execute('PRAGMA busy_timeout = 5000');
    const store = new LibsqlStore(db);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    const version = Number((await this.db.execute('PRAGMA user_version')).rows[0]?.[0] ?? 0);
    for (let next = version; next < MIGRATIONS.length; next++) {
      await this.db.executeMultiple(`BEGIN; ${MIGRATIONS[next]}; PRAGMA user_version = ${next + 1}; COMMIT;`);
    }
  }

  /** One harmless write (the schema version, rewritten as it is): fails while the file or disk cannot take writes. */
  async probeWrite(): Promise<void> {
    const version = Number((await this.db.execute('PRAGMA user_version')).rows[0]?.[0] ?? 0);
    await this.db.execute(`PRAGMA user_version = ${version}`);
  }

  protected async rows(sql: string, args: SqlArgs = []): Promise<Row[]> {
    return (await this.db.execute({ sql, args: args as InArgs })).rows;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
