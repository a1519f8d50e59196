import { toFragment, type FragmentSource } from '../ports/fragment.ts';
import type { Hub } from '../ports/hub.ts';
import type { RoomEvent, RoomFanout, RoomLine } from '../ports/room-fanout.ts';
import { SerialQueue } from './serial.ts';

/**
 * One process (Node and Deno without REDIS_URL) or one Durable Object: a room holds all of its
 * sockets, so what it publishes goes straight to them, in the turn it was published; no hub is involved.
 */
export class DirectFanout implements RoomFanout {
  /** `closing`: aborted when the process (or object) shuts down and every socket closes. */
  constructor(
    private readonly closing: AbortSignal,
    private readonly onRender: () => void = () => {},
  ) {}

  open(topic: string, deliver: (event: RoomEvent) => void): RoomLine {
    const queue = new SerialQueue();
    const { closing } = this;
    return {
      get heard() {
        return !closing.aborted;
      },
      run: (work) => queue.run(work),
      post: (store, broadcast) => {
        const stored = store();
        stored.catch(() => {});
        return queue.run(async () => {
          const value = await stored;
          await broadcast(value);
          return value;
        });
      },
      publish: async (event, content) => this.publish(topic, event, content, deliver),
      drain: () => queue.drain(),
      close: () => {},
    };
  }

  /** Renders once and hands the event to the room's sockets. */
  publish(_topic: string, event: string, content: FragmentSource, deliver: (event: RoomEvent) => void): void {
    this.onRender();
    deliver({ event, fragment: toFragment(content) });
  }
}

/** How long a room's line waits for its own event to come back through the hub (Redis away: it carries on). */
const ECHO_WAIT_MS = 2000;

/**
 * Cluster mode: other instances hold sockets of the same room. Events go through the hub (Redis),
 * whose order every instance shows, the publisher's own sockets included; a message is stored and
 * published while the room is held across instances (`exclusive`), so ids and broadcasts agree.
 * A publish returns once the room's own subscription has handed the event back to its sockets: the
 * line's next work (a joiner's snapshot) then never shows an event that is still on its way to it.
 */
export class HubFanout implements RoomFanout {
  constructor(
    private readonly hub: Hub,
    private readonly exclusive: <T>(name: string, work: () => Promise<T>) => Promise<T>,
    private readonly echoWaitMs = ECHO_WAIT_MS,
  ) {}

  open(topic: string, deliver: (event: RoomEvent) => void, onResync: () => void): RoomLine {
    const queue = new SerialQueue();
    /** The newest id this room's subscription delivered, and publishes waiting for theirs. */
    let delivered = 0;
    const waiting = new Set<{ id: number; done: () => void }>();
    const release = (upTo: number) => {
      for (const waiter of waiting) if (waiter.id <= upTo) waiter.done();
    };
    const unsubscribe = this.hub.subscribe(
      topic,
      (event) => {
        try {
          deliver(event);
        } finally {
          delivered = Math.max(delivered, event.id);
          release(delivered);
        }
      },
      () => {
        // Events may have been missed: nobody waits for one that may never come.
        release(Infinity);
        onResync();
      },
    );
    const echo = (id: number) =>
      id <= delivered
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const waiter = {
              id,
              done: () => {
                clearTimeout(timer);
                waiting.delete(waiter);
                resolve();
              },
            };
            const timer = setTimeout(waiter.done, this.echoWaitMs);
            waiting.add(waiter);
          });
    return {
      heard: true,
      run: (work) => queue.run(work),
      post: (store, broadcast) =>
        queue.run(() =>
          this.exclusive(topic, async () => {
            const value = await store();
            await broadcast(value);
            return value;
          }),
        ),
      publish: async (event, content) => echo((await this.hub.publish(topic, event, content)).id),
      drain: () => queue.drain(),
      close: () => {
        unsubscribe();
        release(Infinity);
      },
    };
  }
}
