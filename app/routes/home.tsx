import { Hono } from 'hono';
import type { Platform } from '../platform/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import { HomePage, type ActiveRoom } from '../../components/Home.tsx';
import { ID_PATTERN } from '../config.ts';

/** The rooms and lobbies that have someone in them, busiest first. */
export async function activeRooms(platform: Platform): Promise<ActiveRoom[]> {
  const rooms: ActiveRoom[] = [];
  for (const [topic, online] of await platform.presence.counts()) {
    const [kind, name] = topic.split(':') as [string, string];
    if ((kind === 'chat' || kind === 'lobby') && online > 0) rooms.push({ kind, name, online });
  }
  return rooms.sort((a, b) => b.online - a.online || a.name.localeCompare(b.name));
}

export function homeRoutes(platform: Platform) {
  const app = new Hono<IdentityEnv>();

  app.get('/', async (c) => c.html(<HomePage viewer={c.get('viewer')} rooms={await activeRooms(platform)} />));

  app.get('/open', async (c) => {
    const name = (c.req.query('room') ?? '').trim().toLowerCase();
    const kind = c.req.query('kind') === 'lobby' ? 'lobby' : 'chat';
    if (!ID_PATTERN.test(name)) {
      const error = 'Room names are 1–64 letters, digits, - or _.';
      return c.html(<HomePage viewer={c.get('viewer')} rooms={await activeRooms(platform)} error={error} />, 400);
    }
    return c.redirect(`/${kind}/${name}`, 303);
  });

  return app;
}
