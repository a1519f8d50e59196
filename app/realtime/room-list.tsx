import type { Platform } from '../ports/platform.ts';
import type { PresenceReads } from '../ports/presence.ts';
import { RoomList, type ActiveRoom } from '../../components/Home.tsx';
import { SerialQueue } from './serial.ts';
import { hubSource, type TopicSource } from './sse-sources.ts';
import { RoomGate } from '../auth/room-gate.ts';
import { sseFragment } from './sse-fragment.tsx';

const roomListUpdate = (listed: { rooms: ActiveRoom[]; more: number }) => sseFragment('rooms', () => <RoomList {...listed} />);

export const ROOMS_TOPIC = 'rooms';

/**
 * The rooms and lobbies that have someone in them, busiest first (presence topics `chat:*`, `lobby:*`).
 * Private rooms are left out: the list is rendered once for everyone, so it shows only public rooms.
 */
/** What the room list reads: who is where, which rooms are private, and the hub it publishes on. */
export type RoomListPlatform = { presence: PresenceReads } & Pick<Platform, 'membership' | 'config' | 'hub'>;

export async function activeRooms(platform: { presence: PresenceReads } & Pick<Platform, 'membership' | 'config'>): Promise<ActiveRoom[]> {
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

/** What the home page lists: the busiest `roomListLimit` rooms, and how many more there are. */
export async function listedRooms(platform: { presence: PresenceReads } & Pick<Platform, 'membership' | 'config'>): Promise<{ rooms: ActiveRoom[]; more: number }> {
  const rooms = await activeRooms(platform);
  const limit = platform.config.limits.roomListLimit;
  return { rooms: rooms.slice(0, limit), more: Math.max(0, rooms.length - limit) };
}

const renderList = async (platform: RoomListPlatform) => roomListUpdate(await listedRooms(platform));

interface Coalescer {
  queue: SerialQueue;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** When the last publish started. */
  last: number;
  waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}
const coalescers = new WeakMap<object, Coalescer>();

/**
 * Pushes the current room list to every stream on the `rooms` topic (the home page's `#room-list`).
 * Call it whenever presence changes in a chat room or lobby. Coalesced: at most one publish per
 * `roomListIntervalMs` whatever the churn (the first change after a quiet spell goes out at once,
 * the rest of a burst in one trailing publish of the latest list), each rendered from presence at
 * the time it goes out and run one at a time, so a slower read never overwrites a newer list.
 * Resolves once a list that includes this change has been published.
 */
export function publishRoomList(platform: RoomListPlatform): Promise<void> {
  let state = coalescers.get(platform);
  if (!state) coalescers.set(platform, (state = { queue: new SerialQueue(), timer: undefined, last: -Infinity, waiting: [] }));
  const s = state;
  return new Promise<void>((resolve, reject) => {
    s.waiting.push({ resolve, reject });
    if (s.timer !== undefined) return;
    const flush = () => {
      s.timer = undefined;
      s.last = Date.now();
      const waiting = s.waiting;
      s.waiting = [];
      s.queue
        .run(async () => {
          await platform.hub.publish(ROOMS_TOPIC, 'rooms', await renderList(platform));
        })
        .then(
          () => waiting.forEach((w) => w.resolve()),
          (error) => waiting.forEach((w) => w.reject(error)),
        );
    };
    s.timer = setTimeout(flush, Math.max(0, s.last + platform.config.limits.roomListIntervalMs - Date.now()));
    (s.timer as { unref?: () => void }).unref?.();
  });
}

/** One per platform, shared by every stream (it holds nothing of a stream's own). */
const roomsSources = new WeakMap<RoomListPlatform, TopicSource>();

export function roomsSource(platform: RoomListPlatform): TopicSource {
  let source = roomsSources.get(platform);
  if (!source) roomsSources.set(platform, (source = hubSource(platform.hub, 'rooms', ROOMS_TOPIC, async () => [{ name: 'rooms', fragment: await renderList(platform) }])));
  return source;
}
