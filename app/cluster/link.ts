import { Redis, type RedisOptions } from 'ioredis';

/** Work that must run each time Redis becomes reachable again: rebuild presence, resubscribe, resync. */
export type Recovery = () => Promise<void>;

export type HealthReport = { status: 'ok' } | { status: 'degraded'; redis: 'unreachable' };

/**
 * The two connections an instance holds to Redis: one for commands, one in subscriber mode.
 * Commands fail at once while Redis is unreachable (no offline queue), so callers answer users
 * with a clear error instead of waiting; ioredis reconnects with capped exponential backoff, and
 * once both connections are back every registered recovery runs, in registration order.
 */
export class RedisLink {
  readonly commands: Redis;
  readonly subscriber: Redis;
  private readonly recoveries: Recovery[] = [];
  private recovered = false;
  private recovering: Promise<void> | undefined;
  private closed = false;
  private lossCount = 0;
  private readonly firstRecovery: Promise<void>;
  private markFirstRecovery!: () => void;

  constructor(url: string, retryMaxMs: number) {
    const options: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, retryMaxMs),
    };
    this.firstRecovery = new Promise((resolve) => (this.markFirstRecovery = resolve));
    this.commands = new Redis(url, { ...options, connectionName: 'switchboard' });
    this.subscriber = new Redis(url, { ...options, connectionName: 'switchboard-sub' });
    for (const client of [this.commands, this.subscriber]) {
      client.on('ready', () => this.recover());
      client.on('close', () => this.lost());
      // Without a listener ioredis prints every failed reconnect; `lost` already said it once.
      client.on('error', () => {});
    }
  }

  /** Registers work to run on every (re)connection; the first run happens on the first connection. */
  onRecover(recovery: Recovery): void {
    this.recoveries.push(recovery);
  }

  /** Resolves once connected and recovered, or after `timeoutMs` with false (the instance runs degraded). */
  async ready(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ok = await Promise.race([this.firstRecovery.then(() => true), timeout]);
    clearTimeout(timer);
    return ok;
  }

  /** Connection losses so far: work done for one connection (presence rebuilt) is known to be current. */
  get losses(): number {
    return this.lossCount;
  }

  /** Both connections are up; recoveries may still be running (`reachable` waits for them too). */
  get connected(): boolean {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready';
  }

  get reachable(): boolean {
    return this.recovered && this.commands.status === 'ready' && this.subscriber.status === 'ready';
  }

  health(): HealthReport {
    return this.reachable ? { status: 'ok' } : { status: 'degraded', redis: 'unreachable' };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.commands, this.subscriber].map((client) => client.quit().catch(() => client.disconnect())));
  }

  private lost(): void {
    if (this.closed) return;
    this.lossCount++;
    if (!this.recovered) return;
    this.recovered = false;
    console.error('redis: connection lost; serving local clients and retrying with backoff');
  }

  private recover(): void {
    if (this.closed || this.recovering || this.commands.status !== 'ready' || this.subscriber.status !== 'ready') return;
    // `finally` runs after the assignment even when there is nothing to await.
    this.recovering = this.runRecoveries().finally(() => {
      this.recovering = undefined;
      if (!this.recovered && this.commands.status === 'ready' && this.subscriber.status === 'ready') setTimeout(() => this.recover(), 100).unref();
    });
  }

  private async runRecoveries(): Promise<void> {
    try {
      for (const recovery of this.recoveries) await recovery();
      this.recovered = true;
      this.markFirstRecovery();
      console.log('redis: connected; presence rebuilt and subscriptions resynchronised');
    } catch (error) {
      // Redis went away again mid-recovery; the next 'ready' starts over.
      console.error('redis: recovery interrupted:', error instanceof Error ? error.message : error);
    }
  }
}
