import { LocalMatchCoordinator } from '../../realtime/match-coordinator.ts';
import type { MatchLease } from '../../ports/match.ts';

/** How often the lobby's object is woken while it runs a match. */
const KEEP_AWAKE_MS = 30_000;

/**
 * A lobby's Durable Object runs its match clock in memory, like one process. Pending timers keep the
 * object from hibernating, and an alarm every KEEP_AWAKE_MS while the clock runs is an event that
 * keeps it from being evicted as idle; should it be evicted anyway, the alarm (or the next socket
 * message) wakes it and the match carries on from its recorded round (`RoomObject.alarm`).
 */
export class ObjectMatchCoordinator extends LocalMatchCoordinator {
  constructor(private readonly storage: DurableObjectStorage) {
    super();
  }

  override async claim(lobby: string): Promise<MatchLease | null> {
    const lease = await super.claim(lobby);
    if (!lease) return null;
    await this.keepAwake();
    return {
      lost: lease.lost,
      release: async () => {
        await lease.release();
        if (!this.holding) await this.storage.deleteAlarm();
      },
    };
  }

  /** Called by the object's alarm while a clock runs: the next alarm. */
  keepAwake(): Promise<void> {
    return this.storage.setAlarm(Date.now() + KEEP_AWAKE_MS);
  }
}
