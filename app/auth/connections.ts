import type { Connection, ConnectionControl, Connections, EndReason } from '../ports/access.ts';
import type { Hub } from '../ports/hub.ts';

/** The user id of an order that concerns everyone in a room. */
export const EVERYONE = '*';

/** This process's open sockets and streams by user, so they can be ended by user (and room). */
export class LocalConnections implements Connections {
  private readonly byUser = new Map<string, Set<Connection>>();

  add(userId: string, connection: Connection): () => void {
    let set = this.byUser.get(userId);
    if (!set) this.byUser.set(userId, (set = new Set()));
    set.add(connection);
    return () => {
      set.delete(connection);
      if (set.size === 0 && this.byUser.get(userId) === set) this.byUser.delete(userId);
    };
  }

  /** Ends the user's connections (in `room` only, when given; every user's with EVERYONE); answers how many. */
  end(userId: string, room: string | null, reason: EndReason): number {
    let ended = 0;
    const connections = userId === EVERYONE ? [...this.byUser.values()].flatMap((set) => [...set]) : [...(this.byUser.get(userId) ?? [])];
    for (const connection of connections) {
      if (room !== null && connection.room !== room) continue;
      ended++;
      connection.end(reason);
    }
    return ended;
  }
}

export const CONTROL_TOPIC = 'control';
type EndOrder = { id: string; userId: string; room: string | null; reason: EndReason; at: number };
type EndReport = { id: string; ended: number };
interface Pending {
  expected: number;
  reports: number;
  ended: number;
  done(): void;
}

/** How long a control order waits for instances that do not answer (one that crashed). */
export const CONTROL_WAIT_MS = 2000;

/**
 * The control plane over the hub (Node, Deno, cluster mode): an order on the `control` topic reaches
 * every instance, each ends its own connections and reports how many, and the caller adds the
 * reports up, waiting at most `waitMs` for instances that do not answer (a crashed one).
 */
export class HubConnectionControl implements ConnectionControl {
  private readonly pending = new Map<string, Pending>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly hub: Hub,
    private readonly local: LocalConnections,
    /** How many instances will answer (1 without a cluster). */
    private readonly instances: () => Promise<number>,
    private readonly waitMs: number,
  ) {
    this.unsubscribe = hub.subscribe(CONTROL_TOPIC, (event) => {
      try {
        if (event.event === 'end') this.obey(JSON.parse(event.fragment.html) as EndOrder);
        else if (event.event === 'ended') this.tally(JSON.parse(event.fragment.html) as EndReport);
      } catch (error) {
        console.error('control event failed', error);
      }
    });
  }

  evict(room: string, userId: string): Promise<number> {
    return this.order(userId, room, 'removed');
  }

  disconnect(userId: string): Promise<number> {
    return this.order(userId, null, 'disconnected');
  }

  recheck(room: string): Promise<number> {
    return this.order(EVERYONE, room, 'recheck');
  }

  close(): void {
    this.unsubscribe();
  }

  private async order(userId: string, room: string | null, reason: EndReason): Promise<number> {
    const id = crypto.randomUUID();
    const expected = Math.max(1, await this.instances());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finished = new Promise<void>((resolve) => {
      this.pending.set(id, { expected, reports: 0, ended: 0, done: resolve });
      timer = setTimeout(resolve, this.waitMs);
    });
    await this.hub.publish(CONTROL_TOPIC, 'end', JSON.stringify({ id, userId, room, reason, at: Date.now() } satisfies EndOrder));
    await finished;
    if (timer !== undefined) clearTimeout(timer);
    const ended = this.pending.get(id)?.ended ?? 0;
    this.pending.delete(id);
    return ended;
  }

  private obey(order: EndOrder): void {
    // A hub that recovers from an outage delivers the events it missed: an old order must not end
    // connections opened since (a member added back, a user who signed in again).
    if (Date.now() - order.at > this.waitMs) return;
    const ended = this.local.end(order.userId, order.room, order.reason);
    void this.hub.publish(CONTROL_TOPIC, 'ended', JSON.stringify({ id: order.id, ended } satisfies EndReport)).catch((error) => console.error('control report failed', error));
  }

  private tally(report: EndReport): void {
    const pending = this.pending.get(report.id);
    if (!pending) return;
    pending.ended += report.ended;
    if (++pending.reports >= pending.expected) pending.done();
  }
}
