/**
 * The storage thread (Node): owns the libSQL database and runs every statement the main thread's
 * `ThreadedLibsqlStore` sends, with `LibsqlStore`'s group commit. An fsync (and a slow disk beside
 * it) then blocks this thread only, never the event loop that writes to sockets.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LibsqlStore } from './libsql.ts';
import type { StoreReply, StoreRequest, WireError } from './libsql-thread.ts';

const port = parentPort!;

/** A driver error as a value: the write guard reads its SQLite code on the other side. */
function wire(error: unknown): WireError {
  const e = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown; rawCode?: unknown };
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(error),
    code: typeof e.code === 'string' || typeof e.code === 'number' ? e.code : undefined,
    rawCode: typeof e.rawCode === 'string' || typeof e.rawCode === 'number' ? e.rawCode : undefined,
  };
}

let store: LibsqlStore;
try {
  store = await LibsqlStore.open((workerData as { url: string }).url);
} catch (error) {
  port.postMessage({ id: 0, error: wire(error) } satisfies StoreReply);
  process.exit(1);
}
port.postMessage({ id: 0, rows: [] } satisfies StoreReply);

port.on('message', async (request: StoreRequest) => {
  try {
    if (request.op === 'query') {
      // Plain objects: a libSQL row carries its columns as own properties, which is all the store reads.
      const rows = await store.query(request.sql, request.args);
      port.postMessage({ id: request.id, rows: rows.map((row) => ({ ...row })) } satisfies StoreReply);
    } else if (request.op === 'probe') {
      await store.probeWrite();
      port.postMessage({ id: request.id, rows: [] } satisfies StoreReply);
    } else {
      await store.close();
      port.postMessage({ id: request.id, rows: [] } satisfies StoreReply);
      port.close();
    }
  } catch (error) {
    port.postMessage({ id: request.id, error: wire(error) } satisfies StoreReply);
  }
});
