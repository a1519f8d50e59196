import { EVERYONE } from '../../auth/connections.ts';
import { MembershipLimitError } from '../../auth/membership.ts';
import type { ConnectionControl, MemberStatus, Membership, UsedTokens } from '../../ports/access.ts';
import { userTopic } from '../../realtime/notifier.tsx';
import { ROOMS_TOPIC } from '../../realtime/room-list.tsx';
import { directoryObject, roomObject, topicObject, type WorkerEnv } from './env.ts';

/** What a room object answers about its own room (RoomObject's RPC methods). */
export type MembershipRpc = Pick<
  ReturnType<typeof roomObject>,
  'membershipFlagged' | 'membershipSetFlagged' | 'membershipStatus' | 'membershipMembers' | 'membershipAdd' | 'membershipRemove'
>;

/**
 * A chat room's privacy and members live in the room's own object (next to its sockets). Inside a
 * room object, `self` answers for its own room without a call to its own stub.
 */
export class RoutedMembership implements Membership {
  constructor(
    private readonly env: WorkerEnv,
    private readonly self?: { room: () => string | undefined; rpc: MembershipRpc },
  ) {}

  private room(room: string): MembershipRpc {
    if (this.self && this.self.room() === room) return this.self.rpc;
    return roomObject(this.env, 'chat', room);
  }

  flagged(room: string): Promise<boolean> {
    return this.room(room).membershipFlagged(room);
  }
  setFlagged(room: string, flagged: boolean): Promise<void> {
    return this.room(room).membershipSetFlagged(room, flagged);
  }
  /** One call to the `rooms` object, where room objects report their flag (as they report online counts). */
  async flaggedAmong(rooms: string[]): Promise<Set<string>> {
    if (rooms.length === 0) return new Set();
    return new Set(await topicObject(this.env, ROOMS_TOPIC).privateRoomsAmong(rooms));
  }
  status(room: string, userId: string): Promise<MemberStatus> {
    return this.room(room).membershipStatus(room, userId);
  }
  members(room: string): Promise<string[]> {
    return this.room(room).membershipMembers(room);
  }
  async add(room: string, userId: string): Promise<void> {
    const error = await this.room(room).membershipAdd(room, userId);
    if (error) throw new MembershipLimitError(error);
  }
  async remove(room: string, userId: string): Promise<void> {
    const error = await this.room(room).membershipRemove(room, userId);
    if (error) throw new MembershipLimitError(error);
  }
}

/** Used token ids in the `tokens` directory object, forgotten when their token expires. */
export class RoutedUsedTokens implements UsedTokens {
  constructor(private readonly env: WorkerEnv) {}

  claim(jti: string, expiresAt: number): Promise<boolean> {
    return directoryObject(this.env, 'tokens').claimToken(jti, expiresAt);
  }
}

/**
 * Sockets live in room objects and streams hold feeds from the user's topic object: a removal goes
 * to the room's object, a disconnect to the user's object, which ends its feeds (so the user's
 * streams end) and asks every room object the user has sockets in to close them.
 */
export class RoutedConnectionControl implements ConnectionControl {
  constructor(private readonly env: WorkerEnv) {}

  evict(room: string, userId: string): Promise<number> {
    return roomObject(this.env, 'chat', room).endUser(userId, 'removed');
  }

  disconnect(userId: string): Promise<number> {
    return topicObject(this.env, userTopic(userId)).disconnectUser(userId);
  }

  recheck(room: string): Promise<number> {
    return roomObject(this.env, 'chat', room).endUser(EVERYONE, 'recheck');
  }
}
