import type { Fragment, FragmentSource } from './fragment.ts';

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
  /**
   * Whether what the room publishes now reaches anyone: through the hub always (other instances
   * listen); straight to the room's sockets not once the process is shutting down, as every one of
   * them is closing (a backlog is then stored, not rendered and fanned out).
   */
  readonly heard: boolean;
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
