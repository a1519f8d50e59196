import type { Hub } from '../ports/hub.ts';

/**
 * SPEC §3: a rename shows in every room and lobby at once. The session route publishes it on one
 * internal hub topic (never streamed to browsers); every room, on every instance or Durable Object,
 * updates the sockets it holds for that user. The payload is data, not HTML.
 */
export const RENAMES_TOPIC = 'renames';

export interface Rename {
  userId: string;
  name: string;
}

export function publishRename(hub: Hub, userId: string, name: string): Promise<unknown> {
  return hub.publish(RENAMES_TOPIC, 'rename', JSON.stringify({ userId, name } satisfies Rename));
}

export function subscribeRenames(hub: Hub, onRename: (rename: Rename) => void): () => void {
  return hub.subscribe(RENAMES_TOPIC, (event) => {
    try {
      const rename = JSON.parse(event.fragment.html) as Rename;
      if (typeof rename.userId === 'string' && typeof rename.name === 'string') onRename(rename);
    } catch (error) {
      console.error('a rename event could not be read:', error);
    }
  });
}
