import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ThreadedLibsqlStore } from '../../app/store/libsql-thread.ts';
import { isCannotWrite } from '../../app/store/write-guard.ts';

const open: ThreadedLibsqlStore[] = [];
async function store(url = `file:${join(mkdtempSync(join(tmpdir(), 'switchboard-thread-')), 'db.sqlite')}`): Promise<ThreadedLibsqlStore> {
  const s = await ThreadedLibsqlStore.open(url);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** A statement that keeps SQLite busy for a while (it counts a few million rows). */
const SLOW = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3000000) SELECT count(*) AS n FROM c';

describe('SPEC 6 / issue 12: storage on its own thread (Node)', () => {
  it('keeps the event loop running while SQLite works: timers fire during a long statement', async () => {
    const s = await store();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const rows = await s.query(SLOW);
    clearInterval(timer);
    expect(Number(rows[0]!.n)).toBe(3_000_000);
    // On the calling thread the statement would hold the loop from start to end: no tick at all.
    expect(ticks).toBeGreaterThan(0);
  });

  it('stores and reads through the thread, with the commit done before a write resolves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-thread-'));
    const url = `file:${join(dir, 'db.sqlite')}`;
    const s = await ThreadedLibsqlStore.open(url);
    const written = await Promise.all(Array.from({ length: 300 }, (_, i) => s.addMessage({ room: 'r', userId: 'u', name: 'N', text: `m${i}`, at: i })));
    expect(new Set(written.map((m) => m.id)).size).toBe(300);
    await s.close();
    // A second thread on the same file sees every one of them.
    const again = await store(url);
    const history = await again.recentMessages('r', 1000);
    expect(history.map((m) => m.text)).toEqual(Array.from({ length: 300 }, (_, i) => `m${i}`));
  });

  it('returns a driver error as a value with its SQLite code, so the write guard can tell "cannot write"', async () => {
    const s = await store();
    await s.query('PRAGMA query_only = ON');
    const error = await s.addMetric({ name: 'x', value: 1, label: null, format: 'integer', at: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toContain('SQLITE_READONLY');
    expect(isCannotWrite(error)).toBe(true);
    await expect(s.probeWrite()).rejects.toThrow(/SQLITE_READONLY/);
    await s.query('PRAGMA query_only = OFF');
    await s.probeWrite();
    // A plain SQL mistake is not a storage fault.
    const mistake = await s.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(isCannotWrite(mistake)).toBe(false);
  });

  it('refuses to start on a path it cannot open, naming the error', async () => {
    await expect(ThreadedLibsqlStore.open('file:/etc/passwd/not-a-dir/db.sqlite')).rejects.toThrow();
  });

  it('fails every later statement as a storage fault once the thread is gone, instead of hanging', async () => {
    const s = await store();
    await (s as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const error = await s.addMessage({ room: 'r', userId: 'u', name: 'N', text: 'lost?', at: 1 }).catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/storage thread stopped/);
    expect(isCannotWrite(error)).toBe(true);
  });
});
