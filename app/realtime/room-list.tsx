import type { Platform } from '../platform/platform.ts';
import { render } from '../../components/render.ts';
import { RoomList, type ActiveRoom } from '../../components/Home.tsx';
import { SerialQueue } from './serial.ts';
import { hubSource, type TopicSource } from './sse-sources.ts';
import { RoomGate } from '../auth/room-gate.ts';

export const ROOMS_TOPIC = 'rooms';

/**
 * The rooms and lobbies that have someone in them, busiest first (presence topics `chat:*`, `lobby:*`).
 * Private rooms are left out: the list is rendered once for everyone, so it shows only public rooms.
 */
export async function activeRooms(platform: Pick<Platform, 'presence' | 'membership' | 'config'>): Promise<ActiveRoom[]> {
  const found: ActiveRoom[] = [];
  for (const [topic, online] of await platform.presence.counts()) {
    const [kind, name] = topic.split(':') as [string, string];
    if ((kind === 'chat' || kind === 'lobby') && online > 0) found.push({ kind, name, online });
  }
  const gate = new RoomGate(platform.config.auth.privateRooms, platform.membership);
  const hidden = await gate.privateAmong(found.filter((room) => room.kind === 'chat').map((room) => room.name));
  const rooms = found.filter((room) => room.kind !== 'chat' || !hidden.has(room.name));
  return rooms.sort((a, b) => b.online - a.online || a.name.localeCompare(b.name));
}

const queues = new WeakMap<Platform, SerialQueue>();

/**
 * Pushes the current room list to every stream on the `rooms` topic (the home page's `#room-list`).
 * Call it whenever presence changes in a chat room or lobby. Runs one at a time, so a slower
 * read never overwrites a newer list.
 */
export function publishRoomList(platform: Platform): Promise<void> {
  let queue = queues.get(platform);
  if (!queue) queues.set(platform, (queue = new SerialQueue()));
  return queue.run(async () => {
    await platform.hub.publish(ROOMS_TOPIC, 'rooms', render(<RoomList rooms={await activeRooms(platform)} />));
  });
}

export function roomsSource(platform: Platform): TopicSource {
  return hubSource(platform.hub, 'rooms', ROOMS_TOPIC, async () => [{ name: 'rooms', html: render(<RoomList rooms={await activeRooms(platform)} />) }]);
}
