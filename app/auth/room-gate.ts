import type { Membership } from '../ports/access.ts';

/** True when `room` matches one of the patterns: a name, `prefix*`, or `*`. */
export function matchesRoom(patterns: readonly string[], room: string): boolean {
  return patterns.some((pattern) => (pattern.endsWith('*') ? room.startsWith(pattern.slice(0, -1)) : room === pattern));
}

/** Who asks to enter: their id and the rooms their host token granted. */
export interface Entrant {
  userId: string;
  rooms: readonly string[];
}

/**
 * The one place that decides who may see a private room (SPEC §9): PRIVATE_ROOMS patterns or the
 * API flag make a room private; its members are the explicit ones plus people whose token's
 * `rooms` claim matches it, unless they were removed since.
 */
export class RoomGate {
  constructor(
    private readonly patterns: readonly string[],
    private readonly membership: Membership,
  ) {}

  async isPrivate(room: string): Promise<boolean> {
    return matchesRoom(this.patterns, room) || (await this.membership.flagged(room));
  }

  async mayEnter(room: string, entrant: Entrant): Promise<boolean> {
    if (!(await this.isPrivate(room))) return true;
    if (!entrant.userId) return false;
    const status = await this.membership.status(room, entrant.userId);
    return status === 'member' || (status === 'none' && matchesRoom(entrant.rooms, room));
  }

  /** The private rooms among `rooms`: they are listed to nobody and counted nowhere public. */
  async privateAmong(rooms: string[]): Promise<Set<string>> {
    const flagged = await this.membership.flaggedAmong(rooms.filter((room) => !matchesRoom(this.patterns, room)));
    return new Set(rooms.filter((room) => flagged.has(room) || matchesRoom(this.patterns, room)));
  }

  /** Of `userIds`, those a private room's mentions may reach: its members and whoever is in it now. */
  async reachable(room: string, userIds: string[], present: () => Promise<string[]>): Promise<string[]> {
    if (!(await this.isPrivate(room))) return userIds;
    const inRoom = new Set(await present());
    const allowed: string[] = [];
    for (const userId of userIds) {
      if (inRoom.has(userId)) allowed.push(userId);
      else if ((await this.membership.status(room, userId)) === 'member') allowed.push(userId);
    }
    return allowed;
  }
}
