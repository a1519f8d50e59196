/** Who may enter private rooms, and who can be sent away (SPEC §9). */

/** `member`: added (API or an exact room name in a token); `removed`: taken out, which also outweighs a token's pattern. */
export type MemberStatus = 'member' | 'removed' | 'none';

/** Private rooms and their members, wherever the mode keeps them (adding past `maxRoomMembers` throws MembershipLimitError). */
export interface Membership {
  /** Made private through `PUT /api/rooms/:room` (PRIVATE_ROOMS patterns are checked by the gate). */
  flagged(room: string): Promise<boolean>;
  setFlagged(room: string, flagged: boolean): Promise<void>;
  /** The flagged rooms among `rooms`. */
  flaggedAmong(rooms: string[]): Promise<Set<string>>;
  status(room: string, userId: string): Promise<MemberStatus>;
  members(room: string): Promise<string[]>;
  /** Adds a member (and forgets an earlier removal); past `maxRoomMembers` throws MembershipLimitError. */
  add(room: string, userId: string): Promise<void>;
  /** Removes a member and remembers the removal, so a token's pattern no longer lets them in. */
  remove(room: string, userId: string): Promise<void>;
}

/**
 * Token ids (`jti`) already exchanged for a session: a token that carries one is single-use.
 * Each id is remembered until its token expires (plus the clock skew), never longer.
 */
export interface UsedTokens {
  /** True when `jti` was not used before (and is now marked used); false for a replay. */
  claim(jti: string, expiresAt: number): Promise<boolean>;
}

/**
 * Why a connection is ended from outside: a member taken out of a private room, the host
 * disconnecting a user, or a room that just became private (everyone reconnects through the gate).
 */
export type EndReason = 'removed' | 'disconnected' | 'recheck';

/** One open socket or stream as the control plane sees it. */
export interface Connection {
  /** The chat room a socket is in; null for streams and lobby sockets. */
  room: string | null;
  end(reason: EndReason): void;
}

/** The sockets and streams this process (or object) holds, where the control plane finds them to end them. */
export interface Connections {
  /** Registers an open connection of `userId`; the returned function unregisters it. */
  add(userId: string, connection: Connection): () => void;
}

/** Ends connections wherever they are: every instance, every object. */
export interface ConnectionControl {
  /** A removed member's sockets in one chat room. */
  evict(room: string, userId: string): Promise<number>;
  /** Every socket and stream of the user. */
  disconnect(userId: string): Promise<number>;
  /** Every socket in a chat room that just became private: closed with 1012 so they reconnect through the gate. */
  recheck(room: string): Promise<number>;
}
