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

/**
 * Cluster mode: other instances hold sockets of the same room. Events go through the hub (Redis),
 * whose order every instance shows, the publisher's own sockets included; a message is stored and
 * published while the room is held across instances (`exclusive`), so ids and broadcasts agree.
 */
export class HubFanout implements RoomFanout {
  constructor(
    private readonly hub: Hub,
    private readonly exclusive: <T>(name: string, work: () => Promise<T>) => Promise<T>,
  ) {}

  open(topic: string, deliver: (event: RoomEvent) => void, onResync: () => void): RoomLine {
    const queue = new SerialQueue();
    const unsubscribe = this.hub.subscribe(topic, deliver, onResync);
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
      publish: async (event, content) => void (await this.hub.publish(topic, event, content)),
      drain: () => queue.drain(),
      close: unsubscribe,
    };
  }
}
