import type { LobbyState } from '../../ports/lobby-state.ts';
import type { Presence } from '../../ports/presence.ts';
import type { Store } from '../../ports/store.ts';

/**
 * A port's calls as they cross RPC to the object that keeps the data: one method per port and
 * object (`storeCall`, `lobbyCall`, `presenceCall`) instead of a pass-through per port method, so a
 * port is spelled once (its interface) and routed once (`RoutedStore`, `RoutedLobbyState`,
 * `RoutedPresence`). Each object serves only the calls on data it keeps; anything else is refused.
 */
type Method<Port> = { [K in keyof Port]: Port[K] extends (...args: any[]) => Promise<unknown> ? K : never }[keyof Port] & string;
type Args<Port, K extends Method<Port>> = Port[K] extends (...args: infer A) => Promise<unknown> ? A : never;
type Result<Port, K extends Method<Port>> = Port[K] extends (...args: any[]) => Promise<infer R> ? R : never;

export type StoreMethod = Exclude<Method<Store>, 'close'>;
export type LobbyMethod = Method<LobbyState>;
export type PresenceMethod = Exclude<Method<Presence>, 'watch'>;

/** A room object keeps its room's messages and who has been in it. */
export const ROOM_STORE_CALLS: readonly StoreMethod[] = ['addMessage', 'recentMessages', 'messagesBefore', 'messageIdBefore', 'addRoomMember'];
/** A topic object keeps a user's name and notifications (`user:ID`), the dashboard's metrics and message count (`dashboard`). */
export const TOPIC_STORE_CALLS: readonly StoreMethod[] = ['countMessagesSince', 'setUserName', 'userName', 'addNotification', 'notifications', 'unreadCount', 'markAllRead', 'addMetric', 'metricSeries'];
/** A lobby's object keeps all of its state. */
export const LOBBY_CALLS: readonly LobbyMethod[] = ['join', 'leave', 'toggleReady', 'rename', 'players', 'appendLog', 'recentLog', 'unreadyAll', 'saveMatch', 'loadMatch'];
/** A room object keeps the presence of its own topic (its sockets' users). */
export const PRESENCE_CALLS: readonly PresenceMethod[] = ['join', 'leave', 'rename', 'list', 'count', 'counts'];

/** Answers one call from the object's own port; a call on data the object does not keep is refused. */
export function serveCall<Port extends object>(port: Port, served: readonly string[], method: string, args: unknown[]): Promise<unknown> {
  if (!served.includes(method)) return Promise.reject(new Error(`this object does not keep ${method}`));
  return (port[method as keyof Port] as (...args: unknown[]) => Promise<unknown>).apply(port, args);
}

type Stub<Call extends string> = { [C in Call]: (method: string, args: unknown[]) => Promise<unknown> };

/** The stub side: one typed call (RPC erases the method's generic type, this restores it). */
function caller<Port, Call extends string>(call: Call) {
  return <K extends Method<Port>>(stub: Stub<Call>, method: K, ...args: Args<Port, K>): Promise<Result<Port, K>> =>
    stub[call](method, args) as Promise<Result<Port, K>>;
}

export const callStore = caller<Store, 'storeCall'>('storeCall');
export const callLobby = caller<LobbyState, 'lobbyCall'>('lobbyCall');
export const callPresence = caller<Presence, 'presenceCall'>('presenceCall');
