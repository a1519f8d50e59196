import { MessageList } from '../../components/Chat.tsx';
import { render } from '../../components/render.ts';
import type { Histories, RoomHistory } from '../ports/read-caches.ts';
import type { ChatMessage, Store } from '../ports/store.ts';

interface Entry {
  /** The newest `limit + 1` messages, oldest first (one more than shown tells whether there is more). */
  rows: ChatMessage[];
  listHtml: string | undefined;
}

/**
 * The last `HISTORY_LIMIT` messages of recently used rooms and their rendered list, in memory, so a
 * page view or a socket's snapshot neither reads rows nor renders the list again. The room that
 * stores a message appends it here (`append`); anything else that may have changed a room's history
 * (a message stored by another instance, a resync) drops its entry (`invalidate`). A load that ran
 * while the room changed is not kept. Holds at most `maxRooms` rooms, least recently used out first.
 *
 * As it is, for a process that is the only writer of its rooms (one process; a room's Durable
 * Object): every room may be kept. Modes with other writers narrow `keeps` (`ListenedHistory`,
 * `UnkeptHistory`).
 */
export class HistoryCache implements Histories {
  private readonly entries = new Map<string, Entry>();
  /** Loads running per room, and whether the room changed meanwhile (then what they read is not kept). */
  private readonly loading = new Map<string, { count: number; changed: boolean }>();
  loads = 0;

  constructor(
    private readonly store: Pick<Store, 'recentMessages'>,
    private readonly limit: number,
    private readonly maxRooms = 256,
  ) {}

  async get(room: string): Promise<RoomHistory> {
    let entry = this.entries.get(room);
    if (entry) {
      // Most recently used last.
      this.entries.delete(room);
      this.entries.set(room, entry);
    } else if (!this.keeps(room)) {
      this.loads++;
      entry = { rows: await this.store.recentMessages(room, this.limit + 1), listHtml: undefined };
    } else {
      let load = this.loading.get(room);
      if (!load) this.loading.set(room, (load = { count: 0, changed: false }));
      load.count++;
      this.loads++;
      try {
        entry = { rows: await this.store.recentMessages(room, this.limit + 1), listHtml: undefined };
      } finally {
        if (--load.count === 0) this.loading.delete(room);
      }
      if (!load.changed) this.keep(room, entry);
    }
    const more = entry.rows.length > this.limit;
    const messages = more ? entry.rows.slice(1) : entry.rows;
    entry.listHtml ??= render(<MessageList room={room} messages={messages} more={more} />);
    return { messages, more, listHtml: entry.listHtml };
  }

  /** A message this process stored and is broadcasting. */
  append(message: ChatMessage): void {
    this.bump(message.room);
    const entry = this.entries.get(message.room);
    if (!entry) return;
    const last = entry.rows.at(-1);
    // Out of order (should not happen: one room's posts are serial): start afresh.
    if (last && last.id >= message.id) return this.invalidate(message.room);
    entry.rows.push(message);
    if (entry.rows.length > this.limit + 1) entry.rows.shift();
    entry.listHtml = undefined;
  }

  invalidate(room: string): void {
    this.bump(room);
    this.entries.delete(room);
  }

  has(room: string): boolean {
    return this.entries.has(room);
  }

  listening(_room: string, _open: boolean): void {}

  /** Whether `room`'s history may be kept in memory now. */
  protected keeps(_room: string): boolean {
    return true;
  }

  private bump(room: string): void {
    const load = this.loading.get(room);
    if (load) load.changed = true;
  }

  private keep(room: string, entry: Entry): void {
    this.entries.set(room, entry);
    if (this.entries.size > this.maxRooms) this.entries.delete(this.entries.keys().next().value!);
  }
}

/**
 * Cluster mode: other instances store messages too, so a room's history is kept only while the
 * room's line hears it here (from the first event its subscription hands over, when that
 * subscription is live: every later message reaches it, and one stored elsewhere drops the entry);
 * when the line closes nothing keeps the entry current, so it goes.
 */
export class ListenedHistory extends HistoryCache {
  private readonly open = new Map<string, number>();

  override listening(room: string, open: boolean): void {
    const lines = (this.open.get(room) ?? 0) + (open ? 1 : -1);
    if (lines > 0) return void this.open.set(room, lines);
    this.open.delete(room);
    this.invalidate(room);
  }

  protected override keeps(room: string): boolean {
    return this.open.has(room);
  }
}

/** A Worker's request side: the room objects write every room, so nothing is kept from one request to the next. */
export class UnkeptHistory extends HistoryCache {
  protected override keeps(): boolean {
    return false;
  }
}
