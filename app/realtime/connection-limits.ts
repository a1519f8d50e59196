import type { ConnectionLimits, ConnectionSlot } from '../ports/limits.ts';

/** The message a refused connection gets with its 429. */
export const tooManyConnections = (max: number) =>
  `too many connections: at most ${max} sockets and event streams per person are open at once; close a tab and try again`;

/** One process: a count per user, forgotten when it reaches zero (so the map holds only connected users). */
export class LocalConnectionLimits implements ConnectionLimits {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  async acquire(userId: string): Promise<ConnectionSlot | null> {
    const held = this.counts.get(userId) ?? 0;
    if (held >= this.max) return null;
    this.counts.set(userId, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.counts.get(userId) ?? 1) - 1;
        if (left <= 0) this.counts.delete(userId);
        else this.counts.set(userId, left);
      },
    };
  }

  get users(): number {
    return this.counts.size;
  }
}
