/**
 * The Node store: `LibsqlStore` on its own thread (app/store/libsql-worker.ts). libSQL runs
 * statements on the calling thread and every commit waits for an fsync; on the main thread that
 * wait (milliseconds, tens under a disk-heavy neighbour) held every socket. Here the main thread
 * only posts a statement and awaits its rows; the storage thread keeps the group commit, so a write
 * still resolves only after its transaction committed. Errors cross as values and are rebuilt with
 * the driver's SQLite code, so the write guard (503 while storage cannot write) works unchanged.
 */
import { Worker } from 'node:worker_threads';
import { SqlStore, type Row, type SqlArgs } from './sql-store.ts';

type Ask = { op: 'query'; sql: string; args: SqlArgs } | { op: 'probe' | 'close' };
export type StoreRequest = Ask & { id: number };
export interface WireError {
  name: string;
  message: string;
  code?: string | number;
  rawCode?: string | number;
}
export type StoreReply = { id: number; rows: Row[]; error?: undefined } | { id: number; error: WireError; rows?: undefined };

// The production build (scripts/build.mjs) names the compiled worker beside dist/node.js; from source
// a small module registers tsx in the thread and loads libsql-worker.ts.
declare const __STORE_WORKER__: string | undefined;

const rebuilt = (error: WireError): Error => Object.assign(new Error(error.message), { name: error.name, code: error.code, rawCode: error.rawCode });

export class ThreadedLibsqlStore extends SqlStore {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(rows: Row[]): void; reject(error: unknown): void }>();
  private failure: Error | null = null;
  private closing: Promise<void> | undefined;

  private constructor(private readonly worker: Worker) {
    super();
    worker.on('message', (reply: StoreReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.error) waiter.reject(rebuilt(reply.error));
      else waiter.resolve(reply.rows);
    });
    // The thread died (out of memory, a driver crash): every statement in flight and after fails
    // as a storage error, which /healthz and the API report as 503.
    const fail = (error: Error) => {
      this.failure = Object.assign(new Error(`storage thread stopped: ${error.message}`), { code: 'SQLITE_IOERR' });
      for (const waiter of this.waiting.values()) waiter.reject(this.failure);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  }

  /** Starts the thread and opens (and migrates) the database there; rejects with the driver's error. */
  static async open(url: string): Promise<ThreadedLibsqlStore> {
    const file = new URL(typeof __STORE_WORKER__ === 'string' ? __STORE_WORKER__ : './libsql-worker-source.mjs', import.meta.url);
    // No inherited flags: a worker started with the parent's `--import tsx` (tests, `npm run dev`) hangs
    // on Node 20 before its first line; the source entry registers tsx itself.
    const worker = new Worker(file, { workerData: { url }, execArgv: [] });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the storage thread exited (code ${code}) while opening ${url}`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (reply: StoreReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (reply.error) reject(rebuilt(reply.error));
        else resolve();
      });
    });
    // The server's listening socket keeps the process alive, not its storage thread.
    worker.unref();
    return new ThreadedLibsqlStore(worker);
  }

  private ask(request: Ask): Promise<Row[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  protected rows(sql: string, args: SqlArgs = []): Promise<Row[]> {
    return this.ask({ op: 'query', sql, args });
  }

  /** One harmless write on the storage thread: fails while the file or disk cannot take writes. */
  async probeWrite(): Promise<void> {
    await this.ask({ op: 'probe' });
  }

  /** Commits every queued write, closes the database and ends the thread. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.failure) await this.ask({ op: 'close' }).catch(() => {});
      await this.worker.terminate();
    })();
    return this.closing;
  }
}
