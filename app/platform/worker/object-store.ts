import type { Store } from '../../ports/store.ts';

/**
 * The Store's calls as they cross RPC to the object that keeps the data: one method per object
 * (`storeCall`) instead of a pass-through per Store method, so the Store is spelled once (the port)
 * and routed once (`RoutedStore`). Each object serves only the calls on data it keeps.
 */
export type StoreMethod = Exclude<keyof Store, 'close'>;
export type StoreArgs<K extends StoreMethod> = Parameters<Store[K]>;
export type StoreResult<K extends StoreMethod> = Awaited<ReturnType<Store[K]>>;

/** A room object keeps its room's messages and who has been in it. */
export const ROOM_CALLS: readonly StoreMethod[] = ['addMessage', 'recentMessages', 'messagesBefore', 'messageIdBefore', 'addRoomMember'];
/** A topic object keeps a user's name and notifications (`user:ID`), the dashboard's metrics and message count (`dashboard`). */
export const TOPIC_CALLS: readonly StoreMethod[] = ['countMessagesSince', 'setUserName', 'userName', 'addNotification', 'notifications', 'unreadCount', 'markAllRead', 'addMetric', 'metricSeries'];

/** Answers one call from the object's own storage; a call on data the object does not keep is refused. */
export function serveStoreCall(store: Store, served: readonly StoreMethod[], method: StoreMethod, args: unknown[]): Promise<unknown> {
  if (!served.includes(method)) return Promise.reject(new Error(`this object does not keep ${method}`));
  return (store[method] as (...args: unknown[]) => Promise<unknown>).apply(store, args);
}

/** The stub side: one typed call through an object's `storeCall` (RPC erases the method's generic type, this restores it). */
export function callStore<K extends StoreMethod>(
  stub: { storeCall(method: StoreMethod, args: unknown[]): Promise<unknown> },
  method: K,
  ...args: StoreArgs<K>
): Promise<StoreResult<K>> {
  return stub.storeCall(method, args) as Promise<StoreResult<K>>;
}
