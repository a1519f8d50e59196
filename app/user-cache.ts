import type { Names } from './ports/read-caches.ts';
import type { Store } from './ports/store.ts';

/** A Map that forgets its least recently used entry past `max`. */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * Display names by user id, read from the store once and then from memory. Only this process sets
 * names when `cache` is true (one process on its own database); with other instances setting names
 * (cluster mode) every lookup goes to the store.
 */
export class UserNames implements Names {
  private readonly names: BoundedCache<string, string | null> | null;
  lookups = 0;

  constructor(
    private readonly store: Pick<Store, 'userName' | 'setUserName'>,
    cache: boolean,
    max = 10_000,
  ) {
    this.names = cache ? new BoundedCache(max) : null;
  }

  async get(userId: string): Promise<string | null> {
    const cached = this.names?.get(userId);
    if (cached !== undefined) return cached;
    this.lookups++;
    const name = await this.store.userName(userId);
    this.names?.set(userId, name);
    return name;
  }

  async set(userId: string, name: string): Promise<void> {
    await this.store.setUserName(userId, name);
    this.names?.set(userId, name);
  }
}
