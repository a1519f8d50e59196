import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Platform } from '../ports/platform.ts';
import type { PresenceReads } from '../ports/presence.ts';
import type { ChatMessage } from '../ports/store.ts';
import { reservedMetricName, type Board } from '../realtime/metric-board.tsx';
import type { Notifier } from '../realtime/notifier.tsx';
import { onlineUserIds } from '../realtime/online.ts';
import { ID_PATTERN } from '../config.ts';
import { requireApiToken } from './api-auth.ts';
import { mountAccessRoutes } from './api-access.ts';
import { StorageUnavailableError } from '../store/write-guard.ts';
import { readBotMessage, readMetrics, readNotify, type Checked } from './api-input.ts';

export interface ApiDeps {
  board: Board;
  notifier: Notifier;
  /** Stores and broadcasts a message in a room, wherever the room lives. */
  postToRoom: RoomPoster;
}

export type RoomPoster = (room: string, userId: string, name: string, text: string) => Promise<ChatMessage>;

/** Parses the body as JSON whatever its content type; bad JSON is a 400 naming the problem. */
async function jsonBody(c: Context): Promise<Checked<unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: false, error: 'the body is empty; send a JSON object' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `the body is not valid JSON: ${(error as Error).message}` };
  }
}

/**
 * A notification is kept only for someone who can read it: a user who has set a display name (so
 * has a row in the store) or has a stream open now. Anything else, a typo or an id never issued,
 * is a 404 instead of a row nobody will ever read (SPEC §6).
 */
/** What the HTTP API uses of the platform. */
export type ApiPlatform = Pick<Platform, 'config' | 'health' | 'store' | 'membership' | 'control'> & { presence: PresenceReads };

async function knownUser(platform: Pick<Platform, 'store'> & { presence: PresenceReads }, userId: string): Promise<boolean> {
  return (await platform.store.userName(userId)) !== null || (await onlineUserIds(platform)).includes(userId);
}

const shownId = (id: string) => JSON.stringify(id.slice(0, 64));

/** The machine-to-machine HTTP API (SPEC §5): bearer token, JSON in, JSON errors out. */
export function apiRoutes(platform: ApiPlatform, { board, notifier, postToRoom }: ApiDeps) {
  const { limits } = platform.config;
  const app = new Hono();
  app.use('*', requireApiToken(platform.config.apiToken));
  app.use(
    '*',
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: (c) => c.json({ error: `the body is larger than ${limits.maxBodyBytes / 1024} KiB` }, 413),
    }),
  );

  app.post('/metrics', async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const metrics = readMetrics(body.value, limits, reservedMetricName);
    if (!metrics.ok) return c.json({ error: metrics.error }, 400);
    const refused = await board.record(metrics.value);
    if (refused !== null) return c.json({ error: `"name": ${refused}` }, 400);
    return c.body(null, 204);
  });

  app.post('/notify', async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const input = readNotify(body.value, limits);
    if (!input.ok) return c.json({ error: input.error }, 400);
    const { to } = input.value;
    if ('user' in to && !(await knownUser(platform, to.user))) {
      return c.json({ error: `"user": no user ${shownId(to.user)} has set a name or is online here; user ids are shown on /notifications` }, 404);
    }
    const users = 'user' in to ? [to.user] : await onlineUserIds(platform);
    const sent = await notifier.notify(users, input.value.text, input.value.level);
    return c.json({ notified: sent.length, ids: sent.map((n) => n.id) }, 202);
  });

  app.post('/rooms/:room/messages', async (c) => {
    const room = c.req.param('room');
    if (!ID_PATTERN.test(room)) return c.json({ error: `room "${room.slice(0, 80)}" must be 1–64 characters of a-z, 0-9, _ and -` }, 400);
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const input = readBotMessage(body.value, limits);
    if (!input.ok) return c.json({ error: input.error }, 400);
    const message = await postToRoom(room, `bot:${input.value.name}`, input.value.name, input.value.text);
    return c.json({ id: message.id, room, at: message.at }, 201);
  });

  mountAccessRoutes(app, platform, jsonBody);

  app.all('*', (c) => c.json({ error: `no API route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof StorageUnavailableError) return c.json({ error: error.message }, 503);
    console.error(`${c.req.method} ${c.req.path} failed:`, error);
    if (platform.health().status === 'degraded') {
      return c.json({ error: 'storage is unreachable (cluster mode: Redis is down); nothing was stored, try again shortly' }, 503);
    }
    return c.json({ error: 'something went wrong on our side; please try again' }, 500);
  });
  return app;
}
