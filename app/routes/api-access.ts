import type { Context, Hono } from 'hono';
import type { Platform } from '../ports/platform.ts';
import { ID_PATTERN } from '../config.ts';
import { HOST_USER_ID } from '../auth/host-token.ts';
import { MembershipLimitError } from '../auth/membership.ts';
import { RoomGate } from '../auth/room-gate.ts';
import { readRoomSettings, type Checked } from './api-input.ts';

type JsonBody = (c: Context) => Promise<Checked<unknown>>;

function badRoom(room: string): string | null {
  return ID_PATTERN.test(room) ? null : `room "${room.slice(0, 80)}" must be 1–64 characters of a-z, 0-9, _ and -`;
}

function badUser(user: string): string | null {
  return HOST_USER_ID.test(user) ? null : `user "${user.slice(0, 80)}" must be a user id: 1–64 of A-Z a-z 0-9 _ . @ : -`;
}

/**
 * Private rooms, members and disconnects (SPEC §9), on the API app (bearer token, body limit):
 * `PUT /rooms/:room`, `PUT|DELETE /rooms/:room/members/:user`, `GET /rooms/:room/members`,
 * `POST /users/:user/disconnect`.
 */
export function mountAccessRoutes(app: Hono, platform: Pick<Platform, 'config' | 'membership' | 'control'>, jsonBody: JsonBody): void {
  const { membership, control } = platform;
  const gate = new RoomGate(platform.config.auth.privateRooms, membership);
  const limited = (error: unknown) => (error instanceof MembershipLimitError ? error.message : null);

  app.put('/rooms/:room', async (c) => {
    const room = c.req.param('room');
    const invalid = badRoom(room);
    if (invalid) return c.json({ error: invalid }, 400);
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const settings = readRoomSettings(body.value);
    if (!settings.ok) return c.json({ error: settings.error }, 400);
    await membership.setFlagged(room, settings.value.private);
    // People already inside reconnect through the gate: members come back, others get 403.
    if (settings.value.private) await control.recheck(room);
    return c.body(null, 204);
  });

  app.get('/rooms/:room/members', async (c) => {
    const room = c.req.param('room');
    const invalid = badRoom(room);
    if (invalid) return c.json({ error: invalid }, 400);
    const [isPrivate, members] = await Promise.all([gate.isPrivate(room), membership.members(room)]);
    return c.json({ private: isPrivate, members });
  });

  app.put('/rooms/:room/members/:user', async (c) => {
    const { room, user } = c.req.param();
    const invalid = badRoom(room) ?? badUser(user);
    if (invalid) return c.json({ error: invalid }, 400);
    try {
      await membership.add(room, user);
    } catch (error) {
      const message = limited(error);
      if (message) return c.json({ error: message }, 409);
      throw error;
    }
    return c.body(null, 204);
  });

  app.delete('/rooms/:room/members/:user', async (c) => {
    const { room, user } = c.req.param();
    const invalid = badRoom(room) ?? badUser(user);
    if (invalid) return c.json({ error: invalid }, 400);
    try {
      await membership.remove(room, user);
    } catch (error) {
      const message = limited(error);
      if (message) return c.json({ error: message }, 409);
      throw error;
    }
    // Stored first, then every instance closes the user's sockets in the room.
    await control.evict(room, user);
    return c.body(null, 204);
  });

  app.post('/users/:user/disconnect', async (c) => {
    const user = c.req.param('user');
    const invalid = badUser(user);
    if (invalid) return c.json({ error: invalid }, 400);
    return c.json({ closed: await control.disconnect(user) }, 202);
  });
}
