import type { ChatMessage } from './store.ts';

/**
 * Stored data a process may keep in memory between requests. Whether it may depends on who else
 * writes the store, which only the mode knows, so each mode hands the app its own: one process (and
 * a Durable Object for its own room) is the only writer and keeps everything; in cluster mode other
 * instances write, so a room's history is kept only while its line hears the room here (its
 * subscription is live and hears every message) and names are read each time; a Worker's request side keeps nothing (its
 * objects write).
 */

/** What a page or a socket's snapshot shows of a room: its last HISTORY_LIMIT messages and their rendered list. */
export interface RoomHistory {
  messages: ChatMessage[];
  more: boolean;
  /** `MessageList` rendered: the "Load older" control and the messages. */
  listHtml: string;
}

export interface Histories {
  /** The room's newest page: from memory where the mode keeps it and it is current, else read (and maybe kept). */
  get(room: string): Promise<RoomHistory>;
  /** A message this process stored and is broadcasting. */
  append(message: ChatMessage): void;
  /** Something else changed the room's history (a message stored by another instance, a resync). */
  invalidate(room: string): void;
  /** The room's line hears every message of the room here from now (`true`: its first event came), or no longer (it closed). */
  listening(room: string, open: boolean): void;
}

/** Display names by user id (SPEC §3). */
export interface Names {
  get(userId: string): Promise<string | null>;
  set(userId: string, name: string): Promise<void>;
}
