import { toFragment, type Fragment, type FragmentSource } from './fragment.ts';
import type { Hub } from './hub.ts';
import { SerialQueue } from './serial.ts';

/** One event of a room's topic, as the room hands it to its sockets. */
export interface RoomEvent {
  event: string;
  fragment: Fragment;
}

/**
 * A room's one ordering layer and the way its events reach its sockets. Everything a room does
 * (joins, leaves, messages, match steps) runs through `run`/`post`, one after another; every event
 * it publishes reaches `deliver` of every room of that topic, in one order.
 */
export interface RoomLine {
  /** Runs `work` after everything the room queued before it. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /**
   * A message: `store` it, then `broadcast` what was stored. Broadcasts go out in arrival order, each
   * after its own write; in one process the writes start at once (a burst shares the store's commits).
   */
  post<T>(store: () => Promise<T>, broadcast: (stored: T) => Promise<void>): Promise<T>;
  /** To every socket of the room: straight to this room in one process, through the hub where other processes hold sockets too. */
  publish(event: string, content: FragmentSource): Promise<void>;
  /** True where other processes write to the room as well (cluster mode): what this one keeps of it goes stale when it stops listening. */
  readonly shared: boolean;
  /** Resolves once everything queued so far has run. */
  drain(): Promise<void>;
  close(): void;
}

export interface RoomFanout {
  /**
   * The line of one room of this process: `deliver` gets every event of `topic`; `onResync` runs
   * when events may have been missed (cluster mode, after Redis was away).
   */
  open(topic: string, deliver: (event: RoomEvent) => void, onResync: () => void): RoomLine;
}

/**
 * One process (Node and Deno without REDIS_URL) or one Durable Object: a room holds all of its
 * sockets, so what it publishes goes straight to them, in the turn it was published; no hub is involved.
 */
export class DirectFanout implements RoomFanout {
  constructor(private readonly onRender: () => void = () => {}) {}

  open(topic: string, deliver: (event: RoomEvent) => void): RoomLine {
    const queue = new SerialQueue();
    return {
      shared: false,
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
      shared: true,
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
