import type { Store } from '../ports/store.ts';

/**
 * Storage that cannot write (disk full, read-only file or volume, I/O errors) is a 503, not a 500
 * (SPEC §6): the failed write throws `StorageUnavailableError`, `/healthz` reports 503 while writes
 * fail, and a probe write (at most one a second, started by `/healthz`) or any successful write
 * clears it again.
 */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`storage cannot write (${describe(cause)}); nothing was stored, try again later`, { cause });
  }
}

/** SQLite result codes and errno names of a store that cannot write, whatever the driver wraps them in. */
const CANNOT_WRITE = /SQLITE_(FULL|READONLY|IOERR|CANTOPEN|CORRUPT|NOTADB)|\b(ENOSPC|EROFS|EDQUOT|EIO)\b|disk is full|readonly database|read-only file system|disk I\/O error/i;

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).slice(0, 120);
}

/** Whether `error` says the store cannot write (as opposed to bad input or a bug). */
export function isCannotWrite(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return true;
  const parts = [error instanceof Error ? error.message : String(error)];
  for (let e: unknown = error; e && typeof e === 'object' && parts.length < 5; e = (e as { cause?: unknown }).cause) {
    const { code, rawCode } = e as { code?: unknown; rawCode?: unknown };
    parts.push(String(code ?? ''), String(rawCode ?? ''), e instanceof Error ? e.message : '');
  }
  return CANNOT_WRITE.test(parts.join(' '));
}

const WRITES = ['addMessage', 'setUserName', 'addNotification', 'markAllRead', 'addMetric', 'addRoomMember'] as const;
const PROBE_INTERVAL_MS = 1000;

export class StorageHealth {
  private failure: string | null = null;
  private lastProbe = 0;
  private probing = false;

  /** `probe` performs one harmless write; it runs only while writes are failing. */
  constructor(private readonly probe: () => Promise<void>) {}

  report(): { status: 'ok' } | { status: 'degraded'; storage: string } {
    if (this.failure === null) return { status: 'ok' };
    this.probeSoon();
    return { status: 'degraded', storage: `cannot write: ${this.failure}` };
  }

  failed(error: unknown): void {
    if (this.failure === null) console.error('storage cannot write:', describe(error));
    this.failure = describe(error);
  }

  succeeded(): void {
    if (this.failure !== null) console.log('storage writes again');
    this.failure = null;
  }

  private probeSoon(): void {
    if (this.probing || Date.now() - this.lastProbe < PROBE_INTERVAL_MS) return;
    this.probing = true;
    this.lastProbe = Date.now();
    this.probe().then(
      () => this.succeeded(),
      (error) => (isCannotWrite(error) ? this.failed(error) : console.error('storage probe failed:', error)),
    ).finally(() => (this.probing = false));
  }
}

/** `store` with every write watched: a write that cannot be stored marks `health` and throws `StorageUnavailableError`. */
export function guardWrites<S extends Store>(store: S, health: StorageHealth): S {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (!(WRITES as readonly PropertyKey[]).includes(property)) return value.bind(target);
      return async (...args: unknown[]) => {
        try {
          const result = await value.apply(target, args);
          health.succeeded();
          return result;
        } catch (error) {
          if (!isCannotWrite(error)) throw error;
          health.failed(error);
          throw new StorageUnavailableError(error);
        }
      };
    },
  });
}
