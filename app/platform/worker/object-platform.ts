import type { Platform } from '../platform.ts';
import type { FragmentSource } from '../../realtime/fragment.ts';
import type { Hub, LocalHub, TopicListener } from '../../realtime/hub.ts';
import { Stats } from '../../realtime/stats.ts';
import type { Store } from '../../store/store.ts';
import { workerConfig, type WorkerEnv } from './env.ts';
import { RoutedHub } from './routed-hub.ts';
import { RoutedLobbyState, RoutedPresence } from './routed-presence.ts';
import { RoutedStore } from './routed-store.ts';
import { RoutedConnectionControl, RoutedMembership, RoutedUsedTokens } from './routed-access.ts';
import type { Membership } from '../../auth/membership.ts';

/** An object's hub: the topics it owns on its own `LocalHub`, every other topic in that topic's object. */
export class ObjectHub implements Hub {
  private readonly routed: RoutedHub;

  constructor(
    env: WorkerEnv,
    private readonly local: LocalHub,
    private readonly owns: (topic: string) => boolean,
  ) {
    this.routed = new RoutedHub(env, 'reopen');
  }

  private hubFor(topic: string): Hub {
    return this.owns(topic) ? this.local : this.routed;
  }

  publish(topic: string, event: string, content: FragmentSource) {
    return this.hubFor(topic).publish(topic, event, content);
  }
  subscribe(topic: string, listener: TopicListener, onResync?: () => void) {
    return this.hubFor(topic).subscribe(topic, listener, onResync);
  }
  since(topic: string, lastId: number) {
    return this.hubFor(topic).since(topic, lastId);
  }
  head(topic: string) {
    return this.hubFor(topic).head(topic);
  }
  async close(): Promise<void> {
    await Promise.all([this.local.close(), this.routed.close()]);
  }
}

const unavailable = (what: string) => () => {
  throw new Error(`${what} is not available inside a Durable Object`);
};

/**
 * The platform the runtime-free parts (Notifier, MetricBoard, the room list) get inside an object:
 * its own hub for the topics it owns, everything else routed to the object that owns it.
 */
export function objectPlatform(env: WorkerEnv, own: { hub: LocalHub; owns: (topic: string) => boolean; store?: Store; membership?: Membership }): Platform {
  return {
    config: workerConfig(env),
    sessionSecret: '',
    store: own.store ?? new RoutedStore(env),
    hub: new ObjectHub(env, own.hub, own.owns),
    presence: new RoutedPresence(env),
    lobbies: new RoutedLobbyState(env),
    membership: own.membership ?? new RoutedMembership(env),
    usedTokens: new RoutedUsedTokens(env),
    control: new RoutedConnectionControl(env),
    stats: new Stats(),
    upgradeWebSocket: unavailable('upgradeWebSocket'),
    socketTransport: unavailable('socketTransport'),
    serveStatic: unavailable('serveStatic'),
    // Objects are not shut down one by one.
    closing: new AbortController().signal,
  };
}
