import { createClient, type Client, type InArgs, type InStatement } from '@libsql/client';
import { MIGRATIONS } from './schema.ts';
import { SqlStore, type Row, type SqlArgs } from './sql-store.ts';

/** Writes committed together in one transaction (one fsync) at most. */
export const MAX_GROUP_COMMIT = 256;

/** Runs `work` after pending I/O: a commit never holds the event loop for more than one batch. */
const afterIo: (work: () => void) => void = (globalThis as { setImmediate?: (work: () => void) => void }).setImmediate ?? ((work) => setTimeout(work, 0));

/** Why the last write failed (e.g. the disk is full); cleared by the next write that succeeds. */
export class StorageWriteError extends Error {
  constructor(override readonly cause: unknown) {
    super(`storage cannot write: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

interface PendingWrite {
  statement: InStatement;
  resolve(rows: Row[]): void;
  reject(error: unknown): void;
}

/**
 * The Node/Deno store: a libSQL file (or `:memory:`), migrated with `PRAGMA user_version`.
 *
 * Group commit: libSQL runs on the calling thread, and with `synchronous=FULL` every transaction
 * waits for an fsync. Writes are therefore queued and committed together, up to
 * `MAX_GROUP_COMMIT` in one transaction, each batch in its own turn of the event loop: a burst
 * of thousands of messages costs a few fsyncs and never keeps `/healthz` (or anything else)
 * waiting for more than one batch. A write resolves only once its transaction has committed, so a
 * message others saw survives `kill -9`. Reads run at once.
 */
export class LibsqlStore extends SqlStore {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private flushing: Promise<void> | undefined;
  private writeError: StorageWriteError | null = null;
  private closed = false;

  private constructor(private readonly db: Client) {
    super();
  }

  /** False while the last write failed (disk full, read-only file…): what a health check reports. */
  storageHealthy(): boolean {
    return this.writeError === null;
  }

  /** The error of the last failed write, or null. */
  get lastWriteError(): StorageWriteError | null {
    return this.writeError;
  }

  /** Writes waiting for their commit (for tests and diagnostics). */
  get pendingWrites(): number {
    return this.pending.length;
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
    if (/^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql)) return this.write({ sql, args: args as InArgs });
    return (await this.db.execute({ sql, args: args as InArgs })).rows;
  }

  private write(statement: InStatement): Promise<Row[]> {
    if (this.closed) return Promise.reject(new StorageWriteError(new Error('the store is closed')));
    return new Promise((resolve, reject) => {
      this.pending.push({ statement, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    afterIo(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.pending.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, MAX_GROUP_COMMIT);
    if (batch.length === 0) return;
    try {
      const results = await this.db.batch(batch.map((write) => write.statement), 'write');
      this.writeError = null;
      batch.forEach((write, i) => write.resolve(results[i]!.rows as unknown as Row[]));
    } catch {
      // One bad statement rolls back the whole batch: run them one by one so only it fails.
      for (const write of batch) {
        try {
          write.resolve((await this.db.execute(write.statement)).rows as unknown as Row[]);
          this.writeError = null;
        } catch (error) {
          this.writeError = new StorageWriteError(error);
          // The driver's own error: the write guard reads its SQLite code.
          write.reject(error);
        }
      }
    }
  }

  /** Commits every queued write, then closes the file. */
  async close(): Promise<void> {
    while (this.pending.length > 0 || this.flushing || this.scheduled) {
      if (this.flushing) await this.flushing;
      else if (this.pending.length > 0) await this.flush();
      else await new Promise<void>((resolve) => afterIo(resolve));
    }
    this.closed = true;
    this.db.close();
  }
}
