import type { MemberStatus, Membership } from '../ports/access.ts';

/** Private rooms and their members (SPEC §9): the SQL adapter of the Membership port. */

/** Adding past `maxRoomMembers`. */
export class MembershipLimitError extends Error {}

export type SqlRows = (sql: string, args?: Array<string | number | null>) => Promise<Array<Record<string, unknown>>>;

/** Membership in SQLite: the Node/Deno libSQL file, or a room's Durable Object storage. */
export class SqlMembership implements Membership {
  constructor(
    private readonly rows: SqlRows,
    private readonly maxMembers: number,
  ) {}

  /**
   * The flagged rooms, read once: this process (or room object) is the only writer of its database,
   * so the copy stays true, and the room list (rebuilt on every presence change, also while shutting
   * down) never waits for storage.
   */
  private flags: Promise<Set<string>> | null = null;

  private flaggedRooms(): Promise<Set<string>> {
    this.flags ??= this.rows('SELECT room FROM room_flags WHERE private = 1').then((rows) => new Set(rows.map((row) => String(row.room))));
    // A failed read is not kept: the next call tries again.
    this.flags.catch(() => (this.flags = null));
    return this.flags;
  }

  async flagged(room: string): Promise<boolean> {
    return (await this.flaggedRooms()).has(room);
  }

  async setFlagged(room: string, flagged: boolean): Promise<void> {
    if (flagged) await this.rows('INSERT OR REPLACE INTO room_flags (room, private) VALUES (?, 1)', [room]);
    else await this.rows('DELETE FROM room_flags WHERE room = ?', [room]);
    const flags = await this.flaggedRooms();
    if (flagged) flags.add(room);
    else flags.delete(room);
  }

  async flaggedAmong(rooms: string[]): Promise<Set<string>> {
    if (rooms.length === 0) return new Set();
    const flags = await this.flaggedRooms();
    return new Set(rooms.filter((room) => flags.has(room)));
  }

  async status(room: string, userId: string): Promise<MemberStatus> {
    const [row] = await this.rows('SELECT removed FROM room_members WHERE room = ? AND user_id = ?', [room, userId]);
    if (!row) return 'none';
    return Number(row.removed) === 1 ? 'removed' : 'member';
  }

  async members(room: string): Promise<string[]> {
    const rows = await this.rows('SELECT user_id FROM room_members WHERE room = ? AND removed = 0 ORDER BY user_id', [room]);
    return rows.map((row) => String(row.user_id));
  }

  async add(room: string, userId: string): Promise<void> {
    if ((await this.status(room, userId)) !== 'member') await this.checkRoomFor(room);
    await this.rows('INSERT OR REPLACE INTO room_members (room, user_id, removed) VALUES (?, ?, 0)', [room, userId]);
  }

  async remove(room: string, userId: string): Promise<void> {
    if ((await this.status(room, userId)) === 'none') await this.checkRoomFor(room);
    await this.rows('INSERT OR REPLACE INTO room_members (room, user_id, removed) VALUES (?, ?, 1)', [room, userId]);
  }

  private async checkRoomFor(room: string): Promise<void> {
    const [row] = await this.rows('SELECT COUNT(*) AS n FROM room_members WHERE room = ?', [room]);
    if (Number(row?.n ?? 0) >= this.maxMembers) throw new MembershipLimitError(`room "${room}" already has ${this.maxMembers} member entries`);
  }
}

