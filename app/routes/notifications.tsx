import { Hono } from 'hono';
import type { Platform } from '../platform/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import type { Notifier } from '../realtime/notifier.tsx';
import { NotificationsPage } from '../../components/Notifications.tsx';

/** `GET /notifications` (SPEC §4.5): lists them, shows the user id, and marks them all read in every tab. */
export function notificationRoutes(platform: Platform, notifier: Notifier) {
  const app = new Hono<IdentityEnv>();
  app.get('/', async (c) => {
    const viewer = c.get('viewer');
    const notifications = await platform.store.notifications(viewer.userId, platform.config.limits.notificationsShown);
    await notifier.markAllRead(viewer.userId);
    return c.html(<NotificationsPage viewer={viewer} htmx={platform.config.htmxVersion} notifications={notifications} origin={new URL(c.req.url).origin} />);
  });
  return app;
}
