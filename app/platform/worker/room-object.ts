import { DurableObject } from 'cloudflare:workers';
import type { RoomPlatform } from '../../ports/platform.ts';
import { ChatRoom } from '../../realtime/chat-room.tsx';
import type { HtmxMajor, Rendition } from '../../ports/fragment.ts';
import { LocalHub } from '../../realtime/hub.ts';
import { DirectFanout } from '../../realtime/room-fanout.ts';
import type { Room } from '../../realtime/room.tsx';
import { LobbyRoom } from '../../realtime/lobby-room.tsx';
import { DASHBOARD_TOPIC } from '../../realtime/metric-board.tsx';
import { Notifier } from '../../realtime/notifier.tsx';
import { publishRoomList, ROOMS_TOPIC } from '../../realtime/room-list.tsx';
import { publishRename } from '../../realtime/renames.ts';
import { Peer } from '../../realtime/peer.ts';
import type { SocketTransport } from '../../ports/transport.ts';
import type { SocketRoom } from '../../realtime/socket-room.ts';
import { SocketSession } from '../../realtime/socket-session.ts';
import { majorOfSocketUrl } from '../../htmx-major.ts';
import { DurableSqlStore } from '../../store/durable-sql.ts';
import { RoutedStore } from './routed-store.ts';
import { LOBBY_SCHEMA, SqlLobbyState } from '../../store/sql-lobby-state.ts';
import type { ChatMessage } from '../../ports/store.ts';
import { statsObject, topicObject, VIEWER_HEADER, workerConfig, type RoomKind, type WorkerEnv } from './env.ts';
import { ObjectMatchCoordinator } from './object-match.ts';
import { objectPlatform, type ObjectPlatform } from './object-platform.ts';
import { inProcessLocks } from '../../realtime/in-process.ts';
import { perUserLimits } from '../../realtime/rate-limit.ts';
import { RoutedMembership, type MembershipRpc } from './routed-access.ts';
import { MembershipLimitError, SqlMembership } from '../../auth/membership.ts';
import type { EndReason, MemberStatus } from '../../ports/access.ts';
import { RoomGate } from '../../auth/room-gate.ts';
import { EVERYONE } from '../../auth/connections.ts';
import { endSocket } from '../../realtime/socket-endpoint.ts';
import { userTopic } from '../../realtime/notifier.tsx';
import { ReportedPresence } from './reported-presence.ts';
import { ReportedStats } from './reported-stats.ts';
import { HistoryCache } from '../../realtime/history-cache.tsx';
import { LOBBY_CALLS, PRESENCE_CALLS, ROOM_STORE_CALLS, serveCall } from './object-calls.ts';

/** What each hibernatable socket carries, so the room can be rebuilt when the object wakes up. */
interface SocketAttachment {
  peerId: string;
  userId: string;
  name: string;
  kind: RoomKind;
  room: string;
  /** The client's htmx major (SPEC §8); absent on sockets accepted before htmx 4 was served: 2. */
  major?: HtmxMajor;
}

/** Codes a close frame may not carry: answered as a normal close. */
const UNSENDABLE_CLOSE = new Set([1005, 1006, 1015]);

function hibernatedTransport(ws: WebSocket, attachment: SocketAttachment): SocketTransport {
  return {
    send: (rendition: Rendition) => ws.send(rendition.html),
    // Kept with the socket, so a woken object still answers the client in its own format.
    majorRevealed: (major: HtmxMajor) => ws.serializeAttachment({ ...attachment, major }),
    // workerd exposes no send-buffer size, so MAX_BUFFERED_BYTES cannot apply here; a send to a dead socket throws.
    bufferedAmount: () => 0,
    close: (code: number, reason: string) => ws.close(code, reason),
    rename: (name: string) => ws.serializeAttachment({ ...(ws.deserializeAttachment() as SocketAttachment), name }),
  };
}

/**
 * A socket whose room has not answered its join yet: what the room sends waits here, and so does a
 * refusal (no name, lobby full). A close the server starts on a hibernatable socket leaves the
 * client's connection open ~10 s (workerd keeps the native socket until the object is evicted,
 * though `webSocketClose` gets the reply at once), so a refused socket is never handed to the
 * hibernation API: `fetch` accepts it as a plain socket, sends the refusal and closes it at once.
 * The price: workerd reports the end of such a socket's pumps as "Uncaught (in response)" to an
 * attached inspector, which `wrangler dev` prints once per refusal (README "Known defect (workerd log)").
 */
class PendingTransport implements SocketTransport {
  readonly frames: Rendition[] = [];
  refusal: { code: number; reason: string } | undefined;
  private live: SocketTransport | undefined;

  send(rendition: Rendition): void {
    if (this.live) this.live.send(rendition);
    else this.frames.push(rendition);
  }

  close(code: number, reason: string): void {
    if (this.live) this.live.close(code, reason);
    else this.refusal ??= { code, reason };
  }

  bufferedAmount(): number {
    return this.live?.bufferedAmount() ?? 0;
  }

  majorRevealed(major: HtmxMajor): void {
    this.live?.majorRevealed(major);
  }

  rename(name: string): void {
    this.live?.rename(name);
  }

  /** From here on frames go straight to `live`; the ones that waited go first. */
  attach(live: SocketTransport): void {
    for (const fragment of this.frames.splice(0)) live.send(fragment);
    this.live = live;
  }
}

/**
 * One chat room or lobby: its sockets (hibernation API), its history and lobby state (the object's
 * SQLite). It runs the same `ChatRoom`/`LobbyRoom` and `SocketSession` as Node and Deno over a
 * platform built from its own storage.
 */
export class RoomObject extends DurableObject<WorkerEnv> {
  /** The room's own storage, hub and presence. */
  private readonly platform: RoomPlatform;
  /** Everything outside the room (users, notifications, the room list), routed to the objects that own it. */
  private readonly routed: ObjectPlatform;
  private readonly notifier: Notifier;
  private readonly sessions = new Map<WebSocket, SocketSession>();
  private readonly matches: ObjectMatchCoordinator;
  private room: Room | undefined;
  /** This chat room's privacy and members (SPEC §9), in the object's own SQLite. */
  private readonly membership: SqlMembership;
  private readonly gate: RoomGate;

  constructor(ctx: DurableObjectState, env: WorkerEnv) {
    super(ctx, env);
    const config = workerConfig(env);
    // Its sockets, messages and fragments count in /metrics, whichever request asks.
    const reported = new ReportedStats((deltas) => statsObject(env).addStats(deltas));
    const { stats } = reported;
    const { sql } = ctx.storage;
    for (const statement of LOBBY_SCHEMA) sql.exec(statement);
    const store = new DurableSqlStore(ctx.storage);
    this.membership = new SqlMembership(store.query, config.limits.maxRoomMembers);
    this.gate = new RoomGate(config.auth.privateRooms, this.membership);
    this.matches = new ObjectMatchCoordinator(ctx.storage);
    const hub = new LocalHub(config.limits.sseRingSize, () => stats.broadcastRenders++);
    const membership = new RoutedMembership(env, { room: () => (this.room instanceof ChatRoom ? this.room.name : undefined), rpc: this as unknown as MembershipRpc });
    // The room's members live in this object: @name lookups ask the name index, then this storage (no RPC to itself).
    const routedStore = new RoutedStore(env);
    routedStore.roomMembersNamed = async (room, name) => {
      const named = await routedStore.userIdsNamed(name);
      return named.length === 0 ? [] : store.roomMembersAmong(room, named);
    };
    this.routed = objectPlatform(env, { hub, owns: (topic) => topic.startsWith('chat:') || topic.startsWith('lobby:'), membership, store: routedStore });
    this.notifier = new Notifier(this.routed);
    // Objects are not shut down one by one: a grace period runs to its end.
    const closing = new AbortController().signal;
    this.platform = {
      config,
      stats,
      store,
      // The object is the only writer of its room: its recent history is kept while it is awake.
      history: new HistoryCache(store, config.historyLimit),
      lobbies: new SqlLobbyState(async (query, args = []) => sql.exec(query, ...args).toArray()),
      hub,
      // The object holds every socket of its room: the room's events go straight to them.
      fanout: new DirectFanout(closing, () => stats.broadcastRenders++),
      presence: new ReportedPresence((topic, online) => topicObject(env, ROOMS_TOPIC).setCount(topic, online)),
      closing,
      matches: this.matches,
      // One bucket per user in this object (README: per room object on Workers).
      rateLimits: perUserLimits(config, config.limits.rateBurst, config.limits.ratePerSecond),
      // The object is the only writer of its room: its queue orders the work.
      locks: inProcessLocks,
      health: () => ({ status: 'ok' }),
      random: Math.random,
    };
    // Sockets that stayed open while the object hibernated: rebuild their sessions before any event
    // arrives, counted open again and taken back by the room without a snapshot or an announcement.
    // They were reported as open before the object hibernated: counted here again, not reported again.
    reported.quiet = true;
    for (const ws of ctx.getWebSockets()) {
      const attachment = ws.deserializeAttachment() as SocketAttachment;
      const { peer } = this.sessionFor(ws, attachment);
      stats.openSockets++;
      this.roomFor(attachment.kind, attachment.room)
        .adopt(peer)
        .catch((error) => {
          console.error('taking back a socket failed', error);
          peer.close(1011, 'could not rejoin');
        });
    }
    reported.quiet = false;
  }

  /** The Worker has checked origin and identity; it forwards the upgrade with the viewer in a header. */
  async fetch(request: Request): Promise<Response> {
    const viewer = JSON.parse(request.headers.get(VIEWER_HEADER) ?? 'null') as Omit<SocketAttachment, 'peerId'> | null;
    if (!viewer || request.headers.get('upgrade') !== 'websocket') return new Response('expected a forwarded WebSocket upgrade', { status: 400 });
    const { 0: client, 1: server } = new WebSocketPair();
    const attachment: SocketAttachment = { peerId: crypto.randomUUID(), ...viewer, major: majorOfSocketUrl(request.url) };
    const pending = new PendingTransport();
    const room = this.roomFor(attachment.kind, attachment.room);
    let joined: Promise<void> = Promise.resolve();
    // The same room, except that this socket's join is kept to be waited for.
    const watched: SocketRoom = {
      fields: room.fields,
      join: (peer) => (joined = room.join(peer)),
      receive: (peer, input) => room.receive(peer, input),
      leave: (peer) => room.leave(peer),
      errorFragment: (text) => room.errorFragment(text),
      run: (work) => room.run(work),
    };
    this.sessionFor(server, attachment, pending, watched).open();
    // join reports its own failures (a 1011 close); only its outcome matters here.
    await joined.catch(() => {});
    if (pending.refusal) {
      server.accept();
      for (const rendition of pending.frames) server.send(rendition.html);
      server.close(pending.refusal.code, pending.refusal.reason);
      this.end(server);
      return new Response(null, { status: 101, webSocket: client });
    }
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(attachment);
    this.noteSocket(attachment, 1);
    pending.attach(hibernatedTransport(server, attachment));
    return new Response(null, { status: 101, webSocket: client });
  }

  webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    this.sessions.get(ws)?.message(message);
  }

  webSocketClose(ws: WebSocket, code: number, reason: string): void {
    this.end(ws);
    try {
      ws.close(UNSENDABLE_CLOSE.has(code) ? 1000 : code, reason);
    } catch {
      // Already closed from this side.
    }
  }

  webSocketError(ws: WebSocket): void {
    this.end(ws);
  }

  /** Ends the user's sockets here (member removal, user disconnect); answers how many. */
  endUser(userId: string, reason: EndReason): number {
    let ended = 0;
    for (const session of this.sessions.values()) {
      if ((userId !== EVERYONE && session.peer.userId !== userId) || session.peer.dropped) continue;
      ended++;
      endSocket(this.room!, session.peer, reason);
    }
    return ended;
  }

  /** RPC for the Worker's membership (RoutedMembership): this room's flag and members. */
  membershipFlagged(_room: string): Promise<boolean> {
    return this.membership.flagged(_room);
  }
  async membershipSetFlagged(room: string, flagged: boolean): Promise<void> {
    await this.membership.setFlagged(room, flagged);
    await topicObject(this.env, ROOMS_TOPIC).setRoomPrivate(room, flagged);
  }
  membershipStatus(room: string, userId: string): Promise<MemberStatus> {
    return this.membership.status(room, userId);
  }
  membershipMembers(room: string): Promise<string[]> {
    return this.membership.members(room);
  }
  /** Answers the limit's message instead of throwing it, so it crosses RPC as data. */
  async membershipAdd(room: string, userId: string): Promise<string | null> {
    return this.membership.add(room, userId).then(() => null, (error) => (error instanceof MembershipLimitError ? error.message : Promise.reject(error)));
  }
  async membershipRemove(room: string, userId: string): Promise<string | null> {
    return this.membership.remove(room, userId).then(() => null, (error) => (error instanceof MembershipLimitError ? error.message : Promise.reject(error)));
  }

  /** Set only while a lobby match runs here (ObjectMatchCoordinator). */
  async alarm(): Promise<void> {
    if (this.matches.holding) return this.matches.keepAwake();
    // Woken after an eviction: the lobby's recorded match carries on if its players' sockets are still here.
    if (this.room instanceof LobbyRoom) await this.room.resumeMatch();
  }

  /** RPC from the Worker's session route (SPEC §3): this room's sockets of that user take the new name. */
  async rename(userId: string, name: string): Promise<void> {
    await publishRename(this.platform.hub, userId, name);
  }

  /** RPC for the Worker's pages: the Store's calls on this room's messages and members (object-calls.ts). */
  storeCall(method: string, args: unknown[]): Promise<unknown> {
    return serveCall(this.platform.store, ROOM_STORE_CALLS, method, args);
  }

  /** RPC: the lobby's state, which this object keeps (the Worker's lobby page reads it). */
  lobbyCall(method: string, args: unknown[]): Promise<unknown> {
    return serveCall(this.platform.lobbies, LOBBY_CALLS, method, args);
  }

  /** RPC: the presence of this object's own topic (its sockets' users). */
  presenceCall(method: string, args: unknown[]): Promise<unknown> {
    return serveCall(this.platform.presence, PRESENCE_CALLS, method, args);
  }

  roomMembersAmong(room: string, userIds: string[]): Promise<string[]> {
    return (this.platform.store as DurableSqlStore).roomMembersAmong(room, userIds);
  }

  /** Stores and broadcasts a message that did not come through a socket (e.g. the HTTP API). */
  post(room: string, userId: string, name: string, text: string): Promise<ChatMessage> {
    return (this.roomFor('chat', room) as ChatRoom).post(userId, name, text);
  }

  private roomFor(kind: RoomKind, name: string): Room {
    if (this.room) return this.room;
    const onPresenceChange = () => void publishRoomList(this.routed).catch((error) => console.error('room list update failed', error));
    const onEmpty = () => {};
    if (kind === 'lobby') return (this.room = new LobbyRoom(name, this.platform, { onPresenceChange, onEmpty }));
    return (this.room = new ChatRoom(name, this.platform, {
      onMessage: (message) => {
        topicObject(this.env, DASHBOARD_TOPIC)
          .recordMessage(message.at)
          .catch((error) => console.error('dashboard report failed', error));
        const present = async () => (await this.platform.presence.list(`chat:${name}`)).map((entry) => entry.userId);
        this.notifier.mentions(message, (ids) => this.gate.reachable(name, ids, present), () => this.gate.isPrivate(name)).catch((error) => console.error('mention notifications failed', error));
      },
      onPresenceChange,
      onEmpty,
    }));
  }

  private sessionFor(
    ws: WebSocket,
    attachment: SocketAttachment,
    transport: SocketTransport = hibernatedTransport(ws, attachment),
    room: SocketRoom = this.roomFor(attachment.kind, attachment.room),
  ): SocketSession {
    const peer = new Peer(attachment.peerId, { userId: attachment.userId, name: attachment.name }, transport, attachment.major ?? 2);
    const session = new SocketSession(this.platform, room, peer);
    this.sessions.set(ws, session);
    return session;
  }

  /** The user's topic object keeps which room objects hold their sockets, so a disconnect finds them. */
  private noteSocket(attachment: Omit<SocketAttachment, 'peerId'>, delta: number): void {
    topicObject(this.env, userTopic(attachment.userId))
      .noteSocket(`${attachment.kind}:${attachment.room}`, delta)
      .catch((error) => console.error('socket note failed', error));
  }

  private end(ws: WebSocket): void {
    // A refused socket was never handed to the hibernation API: it has no attachment and was never noted.
    const attachment = ws.deserializeAttachment() as SocketAttachment | null;
    if (this.sessions.has(ws) && attachment) this.noteSocket(attachment, -1);
    this.sessions.get(ws)?.close();
    this.sessions.delete(ws);
  }
}

declare module './env.ts' {
  interface DurableObjects {
    ROOMS: RoomObject;
  }
}
