import { MembershipLimitError } from '../auth/membership.ts';
import type { MemberStatus, Membership, UsedTokens } from '../ports/access.ts';
import { keys } from './keys.ts';
import type { RedisLink } from './link.ts';

/** Private rooms and members shared by every instance: a set of flagged rooms, and per room a member set and a removed set. */
export class RedisMembership implements Membership {
  constructor(
    private readonly link: RedisLink,
    private readonly maxMembers: number,
  ) {}

  async flagged(room: string): Promise<boolean> {
    return (await this.link.commands.sismember(keys.privateRooms, room)) === 1;
  }

  async setFlagged(room: string, flagged: boolean): Promise<void> {
    if (flagged) await this.link.commands.sadd(keys.privateRooms, room);
    else await this.link.commands.srem(keys.privateRooms, room);
  }

  async flaggedAmong(rooms: string[]): Promise<Set<string>> {
    if (rooms.length === 0) return new Set();
    const answers = await this.link.commands.smismember(keys.privateRooms, ...rooms);
    return new Set(rooms.filter((_, i) => answers[i] === 1));
  }

  async status(room: string, userId: string): Promise<MemberStatus> {
    const [member, removed] = await Promise.all([
      this.link.commands.sismember(keys.roomMembers(room), userId),
      this.link.commands.sismember(keys.roomRemoved(room), userId),
    ]);
    return member === 1 ? 'member' : removed === 1 ? 'removed' : 'none';
  }

  async members(room: string): Promise<string[]> {
    return (await this.link.commands.smembers(keys.roomMembers(room))).sort();
  }

  async add(room: string, userId: string): Promise<void> {
    if ((await this.link.commands.scard(keys.roomMembers(room))) >= this.maxMembers) {
      if ((await this.link.commands.sismember(keys.roomMembers(room), userId)) !== 1) throw new MembershipLimitError(`room "${room}" already has ${this.maxMembers} members`);
    }
    await this.link.commands.multi().srem(keys.roomRemoved(room), userId).sadd(keys.roomMembers(room), userId).exec();
  }

  async remove(room: string, userId: string): Promise<void> {
    if ((await this.link.commands.scard(keys.roomRemoved(room))) >= this.maxMembers) {
      if ((await this.link.commands.sismember(keys.roomRemoved(room), userId)) !== 1) throw new MembershipLimitError(`room "${room}" already has ${this.maxMembers} removed members`);
    }
    await this.link.commands.multi().srem(keys.roomMembers(room), userId).sadd(keys.roomRemoved(room), userId).exec();
  }
}

/** Used token ids shared by every instance: `SET NX` with the token's remaining lifetime, so Redis forgets them itself. */
export class RedisUsedTokens implements UsedTokens {
  constructor(private readonly link: RedisLink) {}

  async claim(jti: string, expiresAt: number): Promise<boolean> {
    const ttl = Math.max(1000, expiresAt - Date.now());
    return (await this.link.commands.set(keys.usedToken(jti), '1', 'PX', ttl, 'NX')) === 'OK';
  }
}

/** How many instances are alive (their liveness key exists): how many answer a control order. */
export async function liveInstances(link: RedisLink): Promise<number> {
  const ids = await link.commands.smembers(keys.instances);
  if (ids.length === 0) return 1;
  const alive = await link.commands.exists(...ids.map((id) => keys.instanceAlivePrefix + id));
  return alive;
}
