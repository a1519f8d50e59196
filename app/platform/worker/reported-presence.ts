import { LocalPresence } from '../../realtime/presence.ts';
import type { Presence, PresenceEntry } from '../../ports/presence.ts';

/**
 * A room object's presence: its own sockets' users (rebuilt from them after hibernation), and each
 * change of the online count reported to the `rooms` topic object for the home page.
 */
export class ReportedPresence implements Presence {
  private readonly local = new LocalPresence();

  constructor(private readonly report: (topic: string, online: number) => Promise<void>) {}

  async join(topic: string, entry: PresenceEntry): Promise<boolean> {
    const joined = await this.local.join(topic, entry);
    if (joined) await this.report(topic, (await this.local.list(topic)).length);
    return joined;
  }

  async leave(topic: string, userId: string): Promise<boolean> {
    const left = await this.local.leave(topic, userId);
    if (left) await this.report(topic, (await this.local.list(topic)).length);
    return left;
  }

  rename(topic: string, userId: string, name: string): Promise<void> {
    return this.local.rename(topic, userId, name);
  }

  list(topic: string): Promise<PresenceEntry[]> {
    return this.local.list(topic);
  }

  count(topic: string): Promise<number> {
    return this.local.count(topic);
  }

  counts(): Promise<Map<string, number>> {
    return this.local.counts();
  }

  /** Only this object's own sockets join and leave here. */
  watch(): () => void {
    return () => {};
  }
}
