import type { Platform } from '../../ports/platform.ts';
import type { FragmentSource } from '../../ports/fragment.ts';
import type { LocalHub } from '../../realtime/hub.ts';
import type { Hub, TopicListener } from '../../ports/hub.ts';
import { InProcessMetricSeries } from '../../realtime/in-process.ts';
import type { Store } from '../../ports/store.ts';
import { workerConfig, type WorkerEnv } from './env.ts';
import { RoutedHub } from './routed-hub.ts';
import { RoutedPresence } from './routed-presence.ts';
import { RoutedStore } from './routed-store.ts';
import { RoutedMembership } from './routed-access.ts';
import type { Membership } from '../../ports/access.ts';

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

/** The slice the runtime-free parts (Notifier, MetricBoard, the room list) use inside an object. */
export type ObjectPlatform = Pick<Platform, 'config' | 'store' | 'hub' | 'presence' | 'membership' | 'metrics' | 'closing'>;

/**
 * The platform the runtime-free parts get inside an object: its own hub for the topics it owns,
 * everything else routed to the object that owns it.
 */
export function objectPlatform(env: WorkerEnv, own: { hub: LocalHub; owns: (topic: string) => boolean; store?: Store; membership?: Membership }): ObjectPlatform {
  const store = own.store ?? new RoutedStore(env);
  return {
    config: workerConfig(env),
    store,
    hub: new ObjectHub(env, own.hub, own.owns),
    presence: new RoutedPresence(env),
    membership: own.membership ?? new RoutedMembership(env),
    // The board lives in the one `dashboard` object: its series are kept there.
    metrics: new InProcessMetricSeries(store),
    // Objects are not shut down one by one.
    closing: new AbortController().signal,
  };
}
